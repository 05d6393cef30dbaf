using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Announcement.Netlink;

/// <summary>
/// The rtnetlink requests the announcer sends and the replies it reads (linux/rtnetlink.h, linux/if_link.h,
/// linux/if_addr.h): create a dummy link, bring a link up, look a link up by name, add, delete and list addresses.
/// Pure: bytes in, bytes out.
/// </summary>
internal static class RouteMessages
{
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort NewLink = 16;
    public const ushort GetLink = 18;
    public const ushort NewAddress = 20;
    public const ushort DeleteAddress = 21;
    public const ushort GetAddress = 22;

    public const ushort FlagRequest = 0x1;
    public const ushort FlagMulti = 0x2;
    public const ushort FlagAck = 0x4;
    public const ushort FlagDump = 0x300;
    public const ushort FlagReplace = 0x100;
    public const ushort FlagExclusive = 0x200;
    public const ushort FlagCreate = 0x400;

    private const ushort IflaAddress = 1;
    private const ushort IflaInterfaceName = 3;
    private const ushort IflaLinkInfo = 18;
    private const ushort IflaInfoKind = 1;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort IfaFlags = 8;
    private const uint InterfaceUp = 0x1;

    /// <summary>IFA_F_NODAD: an IPv6 address usable at once, without duplicate address detection.</summary>
    public const uint AddressFlagNoDad = 0x02;

    /// <summary>RTM_NEWLINK creating a virtual device of a kind without settings (as <c>ip link add NAME type dummy</c>).</summary>
    public static NetlinkMessage CreateLink(uint sequence, string name, string kind) =>
        new(NewLink, FlagRequest | FlagAck | FlagCreate | FlagExclusive, sequence, 0,
            [.. LinkHeader(0, 0, 0), .. NetlinkCodec.EncodeAttributes([
                NetlinkAttribute.String(IflaInterfaceName, name),
                NetlinkAttribute.Nested(IflaLinkInfo, NetlinkAttribute.String(IflaInfoKind, kind))])]);

    /// <summary>RTM_NEWLINK setting IFF_UP on a link (as <c>ip link set dev X up</c>).</summary>
    public static NetlinkMessage SetLinkUp(uint sequence, int index) =>
        new(NewLink, FlagRequest | FlagAck, sequence, 0, LinkHeader(index, InterfaceUp, InterfaceUp));

    /// <summary>RTM_GETLINK for one link by name; the reply is an RTM_NEWLINK, or an error (ENODEV) when there is none.</summary>
    public static NetlinkMessage GetLinkByName(uint sequence, string name) =>
        new(GetLink, FlagRequest, sequence, 0,
            [.. LinkHeader(0, 0, 0), .. NetlinkCodec.EncodeAttributes([NetlinkAttribute.String(IflaInterfaceName, name)])]);

    /// <summary>RTM_NEWADDR for a host address (/32, /128) on a link; IPv6 with IFA_F_NODAD.</summary>
    public static NetlinkMessage AddHostAddress(uint sequence, int index, IPAddress address) =>
        HostAddressMessage(NewAddress, FlagRequest | FlagAck | FlagCreate | FlagReplace, sequence, index, address,
            (byte)(address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32));

    /// <summary>RTM_DELADDR for an address on a link (the prefix length must match the one it was added with).</summary>
    public static NetlinkMessage DeleteLinkAddress(uint sequence, LinkAddress address) =>
        HostAddressMessage(DeleteAddress, FlagRequest | FlagAck, sequence, address.InterfaceIndex, address.Address, address.PrefixLength);

    /// <summary>RTM_GETADDR dump of every address of every family.</summary>
    public static NetlinkMessage DumpAddresses(uint sequence) =>
        new(GetAddress, FlagRequest | FlagDump, sequence, 0, AddressHeader(AddressFamily.Unspecified, 0, 0, 0));

    /// <summary>The errno of an NLMSG_ERROR (0 is an acknowledgement).</summary>
    public static int ParseError(NetlinkMessage message)
    {
        if (message.Type != Error || message.Payload.Length < 4)
        {
            throw new FormatException($"netlink message type {message.Type} is not an error");
        }

        return -BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
    }

    /// <summary>The index and name of a link from RTM_NEWLINK.</summary>
    public static (int Index, string? Name) ParseLink(NetlinkMessage message)
    {
        if (message.Type != NewLink || message.Payload.Length < 16)
        {
            throw new FormatException($"netlink message type {message.Type} is not a link");
        }

        var index = BinaryPrimitives.ReadInt32LittleEndian(message.Payload.AsSpan(4));
        var name = NetlinkCodec.DecodeAttributes(message.Payload.AsSpan(16))
            .FirstOrDefault(a => a.Type == IflaInterfaceName)?.Value;
        return (index, name is null ? null : Encoding.ASCII.GetString(name).TrimEnd('\0'));
    }

    /// <summary>The address from RTM_NEWADDR (IFA_LOCAL when present, else IFA_ADDRESS), or null for a family other than IPv4/IPv6.</summary>
    public static LinkAddress? ParseAddress(NetlinkMessage message)
    {
        if (message.Type != NewAddress || message.Payload.Length < 8)
        {
            throw new FormatException($"netlink message type {message.Type} is not an address");
        }

        var payload = message.Payload;
        var family = payload[0] switch { 2 => AddressFamily.InterNetwork, 10 => AddressFamily.InterNetworkV6, _ => AddressFamily.Unknown };
        if (family == AddressFamily.Unknown)
        {
            return null;
        }

        var attributes = NetlinkCodec.DecodeAttributes(payload.AsSpan(8));
        var value = (attributes.FirstOrDefault(a => a.Type == IfaLocal) ?? attributes.FirstOrDefault(a => a.Type == IfaAddress))?.Value;
        if (value is null || value.Length != (family == AddressFamily.InterNetwork ? 4 : 16))
        {
            return null;
        }

        return new LinkAddress(BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4)), new IPAddress(value), payload[1]);
    }

    private static NetlinkMessage HostAddressMessage(ushort type, ushort flags, uint sequence, int index, IPAddress address, byte prefixLength)
    {
        var isV6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var bytes = address.GetAddressBytes();
        var noDad = isV6 ? AddressFlagNoDad : 0;
        List<NetlinkAttribute> attributes =
        [
            new(IfaLocal, bytes),
            new(IfaAddress, bytes),
        ];
        if (isV6 && type == NewAddress)
        {
            attributes.Add(NetlinkAttribute.UInt32(IfaFlags, noDad));
        }

        return new(type, flags, sequence, 0,
            [.. AddressHeader(address.AddressFamily, prefixLength, (byte)noDad, index), .. NetlinkCodec.EncodeAttributes(attributes)]);
    }

    /// <summary>struct ifinfomsg: family, pad, type, index, flags, change.</summary>
    private static byte[] LinkHeader(int index, uint flags, uint change)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), change);
        return bytes;
    }

    /// <summary>struct ifaddrmsg: family, prefix length, flags, scope (universe), index.</summary>
    private static byte[] AddressHeader(AddressFamily family, byte prefixLength, byte flags, int index)
    {
        var bytes = new byte[8];
        bytes[0] = family switch { AddressFamily.InterNetwork => 2, AddressFamily.InterNetworkV6 => 10, _ => 0 };
        bytes[1] = prefixLength;
        bytes[2] = flags;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), index);
        return bytes;
    }
}
