using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Ferry.KernelPlane.Conntrack;

/// <summary>One conntrack entry as a dump reports it: its two tuples (ports 0 for protocols without them).</summary>
/// <param name="Protocol">The IP protocol number (6 TCP, 17 UDP).</param>
/// <param name="Id">The entry's id, so a delete removes this entry and not a later one with the same tuple.</param>
public sealed record ConntrackEntry(byte Protocol, IPEndPoint OriginalSource, IPEndPoint OriginalDestination, IPEndPoint ReplySource, IPEndPoint ReplyDestination, ushort Zone, uint? Id);

/// <summary>
/// ctnetlink messages (NETLINK_NETFILTER, subsystem CTNETLINK): the dump request, the delete request, and the entries
/// of a dump answer. Pure: bytes in, bytes out (netlink headers in host order, attribute payloads in network order).
/// </summary>
public static class ConntrackMessages
{
    /// <summary>NLMSG_ERROR: an error or, with code 0, an acknowledgement.</summary>
    public const ushort Error = 2;

    /// <summary>NLMSG_DONE: the end of a dump.</summary>
    public const ushort Done = 3;

    /// <summary>IPCTNL_MSG_CT_NEW in the CTNETLINK subsystem: an entry of a dump.</summary>
    public const ushort EntryType = (1 << 8) | 0;

    private const ushort GetRequestType = (1 << 8) | 1;
    private const ushort DeleteType = (1 << 8) | 2;
    private const ushort Request = 0x1;
    private const ushort Ack = 0x4;
    private const ushort Dump = 0x300;
    private const ushort Nested = 0x8000;
    private const int HeaderLength = 16;
    private const int GenericLength = 4;

    // enum ctattr_type, ctattr_tuple, ctattr_ip, ctattr_l4proto (linux/netfilter/nfnetlink_conntrack.h)
    private const ushort TupleOriginal = 1;
    private const ushort TupleReply = 2;
    private const ushort Id = 12;
    private const ushort Zone = 18;
    private const ushort TupleIp = 1;
    private const ushort TupleProto = 2;
    private const ushort ProtoNumber = 1;
    private const ushort ProtoSourcePort = 2;
    private const ushort ProtoDestinationPort = 3;

    /// <summary>Asks for every entry of both families.</summary>
    public static byte[] DumpRequest(uint sequence)
    {
        var message = new List<byte>();
        Header(message, GetRequestType, Request | Dump, sequence, family: 0);
        return Finish(message);
    }

    /// <summary>Deletes <paramref name="entry"/> (by its original tuple, zone and id); the kernel acknowledges.</summary>
    public static byte[] DeleteRequest(uint sequence, ConntrackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var message = new List<byte>();
        var family = entry.OriginalSource.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)10 : (byte)2;
        Header(message, DeleteType, Request | Ack, sequence, family);
        var v6 = family == 10;
        var ip = Attribute((ushort)(v6 ? 3 : 1), entry.OriginalSource.Address.GetAddressBytes())
            .Concat(Attribute((ushort)(v6 ? 4 : 2), entry.OriginalDestination.Address.GetAddressBytes()));
        var proto = Attribute(ProtoNumber, [entry.Protocol])
            .Concat(Attribute(ProtoSourcePort, BigEndian16((ushort)entry.OriginalSource.Port)))
            .Concat(Attribute(ProtoDestinationPort, BigEndian16((ushort)entry.OriginalDestination.Port)));
        var tuple = Attribute(TupleIp | Nested, [.. ip]).Concat(Attribute(TupleProto | Nested, [.. proto]));
        message.AddRange(Attribute(TupleOriginal | Nested, [.. tuple]));
        if (entry.Zone != 0)
        {
            message.AddRange(Attribute(Zone, BigEndian16(entry.Zone)));
        }

        if (entry.Id is { } id)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, id);
            message.AddRange(Attribute(Id, bytes));
        }

        return Finish(message);
    }

    /// <summary>The netlink messages in one received buffer: type, sequence and payload after the netlink header.</summary>
    public static IEnumerable<(ushort Type, uint Sequence, byte[] Payload)> Split(byte[] buffer, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var offset = 0;
        while (offset + HeaderLength <= length)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));
            if (size < HeaderLength || offset + size > length)
            {
                yield break;
            }

            var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 4));
            var sequence = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 8));
            yield return (type, sequence, buffer.AsSpan(offset + HeaderLength, size - HeaderLength).ToArray());
            offset += Align(size);
        }
    }

    /// <summary>The errno of an NLMSG_ERROR payload (negative, or 0 for an acknowledgement).</summary>
    public static int ErrorCode(byte[] payload) => BinaryPrimitives.ReadInt32LittleEndian(payload);

    /// <summary>The entry in a dump message's payload (after the netlink header), or null when it has no full tuples.</summary>
    public static ConntrackEntry? ParseEntry(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Length < GenericLength)
        {
            return null;
        }

        var attributes = Attributes(payload.AsSpan(GenericLength).ToArray());
        if (!attributes.TryGetValue(TupleOriginal, out var original) || !attributes.TryGetValue(TupleReply, out var reply)
            || ParseTuple(original) is not { } o || ParseTuple(reply) is not { } r)
        {
            return null;
        }

        var zone = attributes.TryGetValue(Zone, out var z) && z.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(z) : (ushort)0;
        uint? id = attributes.TryGetValue(Id, out var i) && i.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(i) : null;
        return new ConntrackEntry(o.Protocol, o.Source, o.Destination, r.Source, r.Destination, zone, id);
    }

    private static (byte Protocol, IPEndPoint Source, IPEndPoint Destination)? ParseTuple(byte[] tuple)
    {
        var parts = Attributes(tuple);
        if (!parts.TryGetValue(TupleIp, out var ipBytes) || !parts.TryGetValue(TupleProto, out var protoBytes))
        {
            return null;
        }

        var ip = Attributes(ipBytes);
        var proto = Attributes(protoBytes);
        var (source, destination) = ip.TryGetValue(1, out var s4) && ip.TryGetValue(2, out var d4) ? (s4, d4)
            : ip.TryGetValue(3, out var s6) && ip.TryGetValue(4, out var d6) ? (s6, d6) : (null, null);
        if (source is null || destination is null || !proto.TryGetValue(ProtoNumber, out var number) || number.Length < 1)
        {
            return null;
        }

        int Port(ushort type) => proto.TryGetValue(type, out var p) && p.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(p) : 0;
        return (number[0], new IPEndPoint(new IPAddress(source), Port(ProtoSourcePort)), new IPEndPoint(new IPAddress(destination), Port(ProtoDestinationPort)));
    }

    /// <summary>The attributes of one level, by type (nested flag masked off); a repeated type keeps the first.</summary>
    private static Dictionary<ushort, byte[]> Attributes(byte[] data)
    {
        var attributes = new Dictionary<ushort, byte[]>();
        var offset = 0;
        while (offset + 4 <= data.Length)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset));
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset + 2)) & 0x3FFF);
            if (length < 4 || offset + length > data.Length)
            {
                break;
            }

            attributes.TryAdd(type, data.AsSpan(offset + 4, length - 4).ToArray());
            offset += Align(length);
        }

        return attributes;
    }

    private static void Header(List<byte> message, ushort type, ushort flags, uint sequence, byte family)
    {
        var header = new byte[HeaderLength + GenericLength];
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), sequence);
        header[HeaderLength] = family; // nfgenmsg: family, version 0, resource id 0
        message.AddRange(header);
    }

    private static byte[] Finish(List<byte> message)
    {
        var bytes = message.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
        return bytes;
    }

    private static byte[] Attribute(ushort type, byte[] payload)
    {
        var bytes = new byte[Align(4 + payload.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), type);
        payload.CopyTo(bytes, 4);
        return bytes;
    }

    private static byte[] BigEndian16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static int Align(int length) => (length + 3) & ~3;
}
