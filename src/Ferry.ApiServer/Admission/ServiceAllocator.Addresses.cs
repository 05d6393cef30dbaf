using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts.Addressing;

namespace Ferry.ApiServer.Admission;

/// <summary>Offsets in the allocator's ranges and the addresses and ports they stand for.</summary>
public sealed partial class ServiceAllocator
{

    private long? PortOffset(int port) =>
        port >= Options.NodePortMin && port <= Options.NodePortMax ? port - Options.NodePortMin : null;

    /// <summary>The allocator an offset (as kept in <see cref="ServiceAllocation"/>) belongs to.</summary>
    private RangeAllocator RangeOf(long offset) => offset >= IPv6OffsetBase ? _ips6! : _ips;

    /// <summary>The offset within <see cref="RangeOf"/>.</summary>
    private static long Local(long offset) => offset >= IPv6OffsetBase ? offset - IPv6OffsetBase : offset;

    private long? IpOffset(string ip)
    {
        if (!NetworkText.TryParseAddress(ip, out var address))
        {
            return null;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (_ips6 is null || address.IsIPv4MappedToIPv6)
            {
                return null;
            }

            var value6 = ToUInt128(address);
            if ((value6 & (UInt128.MaxValue << (128 - _prefix6))) != _network6)
            {
                return null;
            }

            var offset6 = (long)(value6 - _network6) - 1;
            return offset6 >= 0 && offset6 < _ips6.Size ? offset6 + IPv6OffsetBase : null;
        }

        var value = ToUInt(address);
        var mask = uint.MaxValue << (32 - _prefix);
        if ((value & mask) != _network)
        {
            return null;
        }

        long offset = (long)(value - _network) - 1;
        return offset >= 0 && offset < _ips.Size ? offset : null;
    }

    private string OffsetToIp(long offset) =>
        offset >= IPv6OffsetBase ? ToAddress(_network6 + 1 + (UInt128)(offset - IPv6OffsetBase)) : ToAddress((uint)(_network + 1 + offset));

    private static UInt128 ToUInt128(IPAddress address) => BinaryPrimitives.ReadUInt128BigEndian(address.GetAddressBytes());

    private static string ToAddress(UInt128 value)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }

    private static uint ToUInt(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static string ToAddress(uint value) =>
        new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
