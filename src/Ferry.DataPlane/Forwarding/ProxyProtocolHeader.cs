using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Contracts;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// Builds PROXY protocol headers (haproxy's proxy-protocol.txt) so backends see the client's address.
/// </summary>
/// <remarks>
/// v1 is text and defined for TCP only: <c>PROXY TCP4 src dst sport dport\r\n</c>. v2 is binary: the
/// 12-byte signature, version/command 0x21 (v2, PROXY), family/transport (0x11 TCP4, 0x12 UDP4, 0x21
/// TCP6, 0x22 UDP6), the address block length (12 or 36, big-endian), then source and destination
/// addresses and ports. An IPv4 client on a dual-stack socket (IPv4-mapped IPv6) is sent as IPv4 when
/// the destination is IPv4 too; otherwise both are sent as IPv6, since one header has one family.
/// </remarks>
internal static class ProxyProtocolHeader
{
    /// <summary>The longest v2 header we write: 16 fixed bytes plus 36 for two IPv6 addresses and ports.</summary>
    public const int MaxV2Length = 16 + 36;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>The header for a connection or flow from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static byte[] Create(ProxyProtocolVersion version, TransportProtocol protocol, IPEndPoint source, IPEndPoint destination) => version switch
    {
        ProxyProtocolVersion.V1 when protocol == TransportProtocol.Tcp => CreateV1(source, destination),
        ProxyProtocolVersion.V2 => CreateV2(protocol, source, destination),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, $"no PROXY protocol {version} header for {protocol}"),
    };

    public static byte[] CreateV1(IPEndPoint source, IPEndPoint destination)
    {
        var (src, dst) = Normalize(source.Address, destination.Address);
        var family = src.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"PROXY {family} {Format(src)} {Format(dst)} {source.Port} {destination.Port}\r\n");
        return Encoding.ASCII.GetBytes(text);
    }

    public static byte[] CreateV2(TransportProtocol protocol, IPEndPoint source, IPEndPoint destination)
    {
        var (src, dst) = Normalize(source.Address, destination.Address);
        var isV4 = src.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = isV4 ? 4 : 16;
        var blockLength = (2 * addressLength) + 4;
        var header = new byte[16 + blockLength];
        V2Signature.CopyTo(header);
        header[12] = 0x21;
        header[13] = (byte)((isV4 ? 0x10 : 0x20) | (protocol == TransportProtocol.Tcp ? 0x01 : 0x02));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)blockLength);
        var span = header.AsSpan(16);
        src.TryWriteBytes(span, out _);
        dst.TryWriteBytes(span[addressLength..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(span[(2 * addressLength)..], (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(span[((2 * addressLength) + 2)..], (ushort)destination.Port);
        return header;
    }

    private static (IPAddress Source, IPAddress Destination) Normalize(IPAddress source, IPAddress destination)
    {
        static bool IsV4(IPAddress a) => a.AddressFamily == AddressFamily.InterNetwork || a.IsIPv4MappedToIPv6;

        return IsV4(source) && IsV4(destination)
            ? (ToV4(source), ToV4(destination))
            : (ToV6(source), ToV6(destination));
    }

    private static IPAddress ToV4(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>IPv6 without a scope id, which has no place in the header.</summary>
    private static IPAddress ToV6(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : new IPAddress(address.GetAddressBytes());

    private static string Format(IPAddress address) => address.ToString();
}
