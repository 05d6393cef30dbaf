using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// A client (or backend) address as 16 bytes, IPv4 written in its IPv4-mapped IPv6 form, so a client keeps
/// its key whether a dual-mode socket reports it as <c>1.2.3.4</c> or <c>::ffff:1.2.3.4</c>.
/// </summary>
internal static class ClientAddressKey
{
    public const int Size = 16;

    // Any fixed value works; it only has to be the same in every process and release.
    private const long Seed = 0x4665_7272_7948_6173; // "FerryHas"

    /// <summary>Writes the normalized 16 bytes of <paramref name="address"/>; the IPv6 scope id is ignored.</summary>
    public static void Write(IPAddress address, Span<byte> destination)
    {
        var bytes = destination[..Size];
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            bytes[..10].Clear();
            bytes[10] = 0xff;
            bytes[11] = 0xff;
            address.TryWriteBytes(bytes[12..], out _);
        }
        else
        {
            address.TryWriteBytes(bytes, out _);
        }
    }

    /// <summary>The dictionary key of a client for session affinity.</summary>
    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(address, bytes);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>
    /// A 64-bit hash of <paramref name="address"/> that is the same in every process (XXH3 with a fixed seed),
    /// unlike <see cref="object.GetHashCode"/>, which .NET randomizes per process.
    /// </summary>
    public static ulong Hash(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(address, bytes);
        return XxHash3.HashToUInt64(bytes, Seed);
    }

    /// <summary>The hash of the <paramref name="point"/>-th point of backend <paramref name="endPoint"/> on a hash ring.</summary>
    public static ulong HashPoint(IPEndPoint endPoint, int point)
    {
        Span<byte> bytes = stackalloc byte[Size + 2 + 4];
        Write(endPoint.Address, bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[Size..], (ushort)endPoint.Port);
        BinaryPrimitives.WriteInt32BigEndian(bytes[(Size + 2)..], point);
        return XxHash3.HashToUInt64(bytes, Seed);
    }
}
