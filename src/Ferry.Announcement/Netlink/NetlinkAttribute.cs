using System.Buffers.Binary;
using System.Text;

namespace Ferry.Announcement.Netlink;

/// <summary>A netlink attribute (struct rtattr / nlattr): a type and a value, nested attributes encoded in the value.</summary>
internal sealed record NetlinkAttribute(ushort Type, byte[] Value)
{
    /// <summary>A NUL-terminated string, as the kernel expects names.</summary>
    public static NetlinkAttribute String(ushort type, string value)
    {
        var bytes = new byte[Encoding.ASCII.GetByteCount(value) + 1];
        Encoding.ASCII.GetBytes(value, bytes);
        return new NetlinkAttribute(type, bytes);
    }

    /// <summary>A 32-bit value in host byte order (netlink's own integers are host order).</summary>
    public static NetlinkAttribute UInt32(ushort type, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return new NetlinkAttribute(type, bytes);
    }

    /// <summary>Attributes inside an attribute (IFLA_LINKINFO and the like).</summary>
    public static NetlinkAttribute Nested(ushort type, params NetlinkAttribute[] children) =>
        new(type, NetlinkCodec.EncodeAttributes(children));
}
