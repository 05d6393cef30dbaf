using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Ferry.Announcement.Arp;

/// <summary>
/// An Ethernet frame carrying an IPv4-over-Ethernet ARP packet (RFC 826): the Ethernet destination and source,
/// then the opcode and the sender and target hardware and protocol addresses. Pure codec and builders.
/// </summary>
internal sealed record ArpFrame(
    PhysicalAddress Destination,
    PhysicalAddress Source,
    ArpOperation Operation,
    PhysicalAddress SenderMac,
    IPAddress SenderIp,
    PhysicalAddress TargetMac,
    IPAddress TargetIp)
{
    public const int EthernetHeaderLength = 14;
    public const int ArpLength = 28;

    /// <summary>The shortest Ethernet frame without its checksum; shorter frames are padded.</summary>
    public const int MinimumFrameLength = 60;

    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort HardwareEthernet = 1;

    public static readonly PhysicalAddress Broadcast = new([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    public static readonly PhysicalAddress Zero = new(new byte[6]);

    /// <summary>True for an ARP probe (RFC 5227): a request with sender address 0.0.0.0.</summary>
    public bool IsProbe => Operation == ArpOperation.Request && SenderIp.Equals(IPAddress.Any);

    /// <summary>
    /// True when this frame shows another host using <paramref name="address"/> (RFC 5227, 2.1.1): it is sent by
    /// another MAC and its sender address is the address, or it is another host's probe for the address.
    /// </summary>
    public bool ShowsOtherHostUsing(IPAddress address, PhysicalAddress ownMac) =>
        !SenderMac.Equals(ownMac) && (SenderIp.Equals(address) || (IsProbe && TargetIp.Equals(address)));

    /// <summary>The answer to a request for <paramref name="address"/>: a unicast reply from <paramref name="mac"/>.</summary>
    public static ArpFrame ReplyTo(ArpFrame request, PhysicalAddress mac, IPAddress address) =>
        new(request.SenderMac, mac, ArpOperation.Reply, mac, address, request.SenderMac, request.SenderIp);

    /// <summary>A gratuitous ARP request (sender and target both the address, broadcast): neighbours update an entry they hold.</summary>
    public static ArpFrame GratuitousRequest(PhysicalAddress mac, IPAddress address) =>
        new(Broadcast, mac, ArpOperation.Request, mac, address, Zero, address);

    /// <summary>A gratuitous ARP reply (broadcast), for the devices that only heed replies.</summary>
    public static ArpFrame GratuitousReply(PhysicalAddress mac, IPAddress address) =>
        new(Broadcast, mac, ArpOperation.Reply, mac, address, mac, address);

    /// <summary>An ARP probe (RFC 5227): sender address 0.0.0.0 so no neighbour learns anything, target the address to check.</summary>
    public static ArpFrame Probe(PhysicalAddress mac, IPAddress address) =>
        new(Broadcast, mac, ArpOperation.Request, mac, IPAddress.Any, Zero, address);

    public byte[] Encode()
    {
        var bytes = new byte[MinimumFrameLength];
        var span = bytes.AsSpan();
        Mac(Destination).CopyTo(span);
        Mac(Source).CopyTo(span[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[12..], EtherTypeArp);
        var arp = span[EthernetHeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, HardwareEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EtherTypeIpv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], (ushort)Operation);
        Mac(SenderMac).CopyTo(arp[8..]);
        Ipv4(SenderIp).CopyTo(arp[14..]);
        Mac(TargetMac).CopyTo(arp[18..]);
        Ipv4(TargetIp).CopyTo(arp[24..]);
        return bytes;
    }

    /// <summary>The frame, or null when it is not an Ethernet/IPv4 ARP request or reply.</summary>
    public static ArpFrame? Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetHeaderLength + ArpLength || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherTypeArp)
        {
            return null;
        }

        var arp = frame[EthernetHeaderLength..];
        var operation = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        if (BinaryPrimitives.ReadUInt16BigEndian(arp) != HardwareEthernet || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != EtherTypeIpv4
            || arp[4] != 6 || arp[5] != 4 || operation is not (1 or 2))
        {
            return null;
        }

        return new ArpFrame(
            new PhysicalAddress(frame[..6].ToArray()),
            new PhysicalAddress(frame[6..12].ToArray()),
            (ArpOperation)operation,
            new PhysicalAddress(arp[8..14].ToArray()),
            new IPAddress(arp[14..18]),
            new PhysicalAddress(arp[18..24].ToArray()),
            new IPAddress(arp[24..28]));
    }

    private static byte[] Mac(PhysicalAddress mac)
    {
        var bytes = mac.GetAddressBytes();
        return bytes.Length == 6 ? bytes : throw new ArgumentException($"{mac} is not an Ethernet address", nameof(mac));
    }

    private static byte[] Ipv4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? address.GetAddressBytes() : throw new ArgumentException($"{address} is not IPv4", nameof(address));
}
