using System.Net;
using System.Net.NetworkInformation;

namespace Ferry.Announcement.Ndp;

/// <summary>
/// A neighbour solicitation (ICMPv6 type 135) or advertisement (136), RFC 4861 4.3/4.4, as read from and written
/// to a raw ICMPv6 socket (no IPv6 header; the kernel fills in the checksum). <see cref="LinkLayerAddress"/> is the
/// source link-layer option of a solicitation or the target link-layer option of an advertisement.
/// </summary>
internal sealed record NdpMessage(byte Type, byte Flags, IPAddress Target, PhysicalAddress? LinkLayerAddress)
{
    public const byte NeighborSolicitation = 135;
    public const byte NeighborAdvertisement = 136;
    public const byte RouterFlag = 0x80;
    public const byte SolicitedFlag = 0x40;
    public const byte OverrideFlag = 0x20;

    private const byte SourceLinkLayerOption = 1;
    private const byte TargetLinkLayerOption = 2;
    private const int FixedLength = 24;

    public static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    /// <summary>A solicitation for <paramref name="target"/> carrying our MAC.</summary>
    public static NdpMessage Solicitation(IPAddress target, PhysicalAddress mac) => new(NeighborSolicitation, 0, target, mac);

    /// <summary>The answer to a solicitation (S and O flags), or an unsolicited advertisement (O flag only).</summary>
    public static NdpMessage Advertisement(IPAddress target, PhysicalAddress mac, bool solicited) =>
        new(NeighborAdvertisement, (byte)(OverrideFlag | (solicited ? SolicitedFlag : 0)), target, mac);

    /// <summary>ff02::1:ffXX:XXXX, the group a solicitation for <paramref name="address"/> is sent to (RFC 4291 2.7.1).</summary>
    public static IPAddress SolicitedNodeGroup(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        byte[] group = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, bytes[13], bytes[14], bytes[15]];
        return new IPAddress(group);
    }

    public byte[] Encode()
    {
        var mac = LinkLayerAddress?.GetAddressBytes();
        var bytes = new byte[FixedLength + (mac is null ? 0 : 8)];
        bytes[0] = Type;
        bytes[4] = Type == NeighborAdvertisement ? Flags : (byte)0;
        Target.GetAddressBytes().CopyTo(bytes, 8);
        if (mac is not null)
        {
            bytes[FixedLength] = Type == NeighborSolicitation ? SourceLinkLayerOption : TargetLinkLayerOption;
            bytes[FixedLength + 1] = 1; // length in units of 8 octets
            mac.CopyTo(bytes, FixedLength + 2);
        }

        return bytes;
    }

    /// <summary>The message, or null for another ICMPv6 type, a non-zero code or a malformed one (RFC 4861 7.1.1/7.1.2).</summary>
    public static NdpMessage? Decode(ReadOnlySpan<byte> icmp)
    {
        if (icmp.Length < FixedLength || icmp[0] is not (NeighborSolicitation or NeighborAdvertisement) || icmp[1] != 0)
        {
            return null;
        }

        var target = new IPAddress(icmp[8..24]);
        if (target.IsIPv6Multicast)
        {
            return null;
        }

        PhysicalAddress? linkLayer = null;
        var wanted = icmp[0] == NeighborSolicitation ? SourceLinkLayerOption : TargetLinkLayerOption;
        var options = icmp[FixedLength..];
        while (options.Length >= 2)
        {
            var length = options[1] * 8;
            if (length == 0 || length > options.Length)
            {
                return null;
            }

            if (options[0] == wanted && length >= 8)
            {
                linkLayer = new PhysicalAddress(options[2..8].ToArray());
            }

            options = options[length..];
        }

        return new NdpMessage(icmp[0], icmp[0] == NeighborAdvertisement ? (byte)(icmp[4] & 0xe0) : (byte)0, target, linkLayer);
    }
}
