using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Ferry.Membership;

/// <summary>
/// Highest-random-weight (rendezvous) hashing: every candidate gets a weight for a key, and the heaviest
/// owns it. Removing a candidate moves only the keys it owned; adding one takes keys only to it. The
/// weight is XXH3 (64 bits, fixed seed) of the key and the candidate in UTF-8, so every process on every
/// machine and every release computes the same owner — all replicas must agree without talking.
/// Changing the weight function is a breaking change for mixed-version clusters.
/// </summary>
public static class RendezvousHashing
{
    // Any fixed value works; it only has to be the same in every process and release.
    private const long Seed = 0x4665_7272_7952_4857; // "FerryRHW"

    /// <summary>The owner of <paramref name="key"/> among <paramref name="candidates"/>; null when there is none.</summary>
    public static string? Owner(string key, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(candidates);
        string? owner = null;
        var best = 0UL;
        foreach (var candidate in candidates)
        {
            ArgumentNullException.ThrowIfNull(candidate, nameof(candidates));
            var weight = Weight(key, candidate);
            if (owner is null || Outranks(weight, candidate, best, owner))
            {
                owner = candidate;
                best = weight;
            }
        }

        return owner;
    }

    /// <summary>
    /// The distinct candidates from the owner of <paramref name="key"/> down: the second is who takes over
    /// when the first goes, and so on.
    /// </summary>
    public static IReadOnlyList<string> Rank(string key, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(candidates);
        var weighted = candidates
            .Distinct(StringComparer.Ordinal)
            .Select(candidate => (Candidate: candidate ?? throw new ArgumentNullException(nameof(candidates)), Weight: Weight(key, candidate)))
            .ToList();
        weighted.Sort((a, b) => Outranks(a.Weight, a.Candidate, b.Weight, b.Candidate) ? -1 : Outranks(b.Weight, b.Candidate, a.Weight, a.Candidate) ? 1 : 0);
        return [.. weighted.Select(w => w.Candidate)];
    }

    /// <summary>The weight of <paramref name="candidate"/> for <paramref name="key"/>.</summary>
    internal static ulong Weight(string key, string candidate)
    {
        // The key's length goes first so ("ab", "c") and ("a", "bc") hash differently.
        var keyBytes = Encoding.UTF8.GetByteCount(key);
        var length = 4 + keyBytes + Encoding.UTF8.GetByteCount(candidate);
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer, keyBytes);
            Encoding.UTF8.GetBytes(key, buffer[4..]);
            Encoding.UTF8.GetBytes(candidate, buffer[(4 + keyBytes)..]);
            return XxHash3.HashToUInt64(buffer[..length], Seed);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Equal weights (practically never) fall to the ordinally smaller name, so the order is total.
    private static bool Outranks(ulong weight, string candidate, ulong otherWeight, string other) =>
        weight > otherWeight || (weight == otherWeight && string.CompareOrdinal(candidate, other) < 0);
}
