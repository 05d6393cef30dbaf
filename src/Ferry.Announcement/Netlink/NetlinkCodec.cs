using System.Buffers.Binary;

namespace Ferry.Announcement.Netlink;

/// <summary>
/// Encodes and decodes netlink messages and attributes (linux/netlink.h): a 16-byte header
/// (length, type, flags, sequence, port id) and 4-byte aligned type-length-value attributes,
/// all in host byte order (little-endian on every platform .NET runs Linux on).
/// </summary>
internal static class NetlinkCodec
{
    public const int HeaderLength = 16;
    public const int AttributeHeaderLength = 4;

    public static int Align(int length) => (length + 3) & ~3;

    public static byte[] Encode(NetlinkMessage message)
    {
        var length = HeaderLength + message.Payload.Length;
        var bytes = new byte[Align(length)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), message.Type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), message.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), message.Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), message.PortId);
        message.Payload.CopyTo(bytes, HeaderLength);
        return bytes;
    }

    /// <summary>Every message in a datagram (a dump reply carries several); a truncated or malformed one ends the list with an error.</summary>
    public static IReadOnlyList<NetlinkMessage> Decode(ReadOnlySpan<byte> datagram)
    {
        var messages = new List<NetlinkMessage>();
        var offset = 0;
        while (datagram.Length - offset >= HeaderLength)
        {
            var span = datagram[offset..];
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(span);
            if (length < HeaderLength || length > span.Length)
            {
                throw new FormatException($"netlink message at offset {offset} has length {length}, {span.Length} bytes remain");
            }

            messages.Add(new NetlinkMessage(
                BinaryPrimitives.ReadUInt16LittleEndian(span[4..]),
                BinaryPrimitives.ReadUInt16LittleEndian(span[6..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[8..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[12..]),
                span[HeaderLength..length].ToArray()));
            offset += Align(length);
        }

        return messages;
    }

    public static byte[] EncodeAttributes(IEnumerable<NetlinkAttribute> attributes)
    {
        var buffer = new List<byte>();
        foreach (var attribute in attributes)
        {
            var length = AttributeHeaderLength + attribute.Value.Length;
            var bytes = new byte[Align(length)];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)length);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), attribute.Type);
            attribute.Value.CopyTo(bytes, AttributeHeaderLength);
            buffer.AddRange(bytes);
        }

        return [.. buffer];
    }

    /// <summary>The attributes in a buffer; the type's top bits (NLA_F_NESTED, NLA_F_NET_BYTEORDER) are masked off.</summary>
    public static IReadOnlyList<NetlinkAttribute> DecodeAttributes(ReadOnlySpan<byte> buffer)
    {
        var attributes = new List<NetlinkAttribute>();
        var offset = 0;
        while (buffer.Length - offset >= AttributeHeaderLength)
        {
            var span = buffer[offset..];
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span);
            if (length < AttributeHeaderLength || length > span.Length)
            {
                throw new FormatException($"netlink attribute at offset {offset} has length {length}, {span.Length} bytes remain");
            }

            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[2..]) & 0x3fff);
            attributes.Add(new NetlinkAttribute(type, span[AttributeHeaderLength..length].ToArray()));
            offset += Align(length);
        }

        return attributes;
    }
}
