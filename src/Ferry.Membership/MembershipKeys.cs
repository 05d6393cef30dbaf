using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace Ferry.Membership;

/// <summary>
/// The 64-bit hashes heartbeats carry instead of names (peer names in vouches, keys in withdrawals), so a
/// heartbeat stays one small datagram. XXH3 with a fixed seed: the same in every process and release.
/// </summary>
public static class MembershipKeys
{
    private const long Seed = 0x4665_7272_794B_6579; // "FerryKey"

    /// <summary>The hash of a peer name or a withdrawn key.</summary>
    public static ulong Hash(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(value, buffer);
            return XxHash3.HashToUInt64(buffer[..written], Seed);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
