using System.IO.Hashing;
using System.Text;
using Ferry.Contracts;

namespace Ferry.KernelPlane.Ruleset;

/// <summary>
/// The fixed-size slot table behind the kernel's client-address hash (<c>jhash ip saddr mod M map { slot : backend }</c>):
/// each slot goes to the backend with the highest weighted rendezvous score for it (highest random weight hashing,
/// score = weight / -ln(u), u a 64-bit hash of the slot and the backend's address and port).
/// </summary>
/// <remarks>
/// <para>
/// A slot's owner depends only on the slot and the candidates, never on their order. Removing (or failing) a backend
/// therefore reassigns exactly the slots it owned, each to its runner-up, and adding one takes only the slots it now
/// wins: movement is exactly minimal, as with the userspace plane's ketama ring (HashRing in Ferry.DataPlane). Measured
/// (SlotTableTests): with <see cref="Size"/> = 1021 slots, removing one of 10 equal backends moves 97 slots, 9.5 %
/// (the ideal is 1/10: exactly the slots it owned), and no slot of another backend moves; the ketama ring moves exactly
/// its clients too. A backend's share is proportional to its weight in expectation; 10 equal backends got 82 to 131
/// slots (102 expected: a binomial spread, wider than the ring's few percent with 160 points per weight), the price of
/// a table small enough to render into one rule (Maglev would balance exactly but move more).
/// </para>
/// <para>M is prime so that <c>jhash mod M</c> spreads evenly; the table is rendered into the rule as 1021 map elements.</para>
/// </remarks>
public static class SlotTable
{
    /// <summary>Slots per hashed listener (prime).</summary>
    public const int Size = 1021;

    /// <summary>The owner of every slot, or an empty array when no backend has a positive weight.</summary>
    public static BackendSpec[] Build(IReadOnlyList<BackendSpec> backends, int size = Size)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var candidates = backends
            .Where(b => b.Weight > 0)
            .DistinctBy(b => b.EndPoint)
            .Select(b => (Backend: b, Hash: IdentityHash(b), Identity: b.ToString()))
            .ToArray();
        if (candidates.Length == 0)
        {
            return [];
        }

        var slots = new BackendSpec[size];
        for (var slot = 0; slot < size; slot++)
        {
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < candidates.Length; i++)
            {
                var score = Score(candidates[i].Hash, slot, candidates[i].Backend.Weight);
                if (score > bestScore || (score == bestScore && string.CompareOrdinal(candidates[i].Identity, candidates[best].Identity) < 0))
                {
                    best = i;
                    bestScore = score;
                }
            }

            slots[slot] = candidates[best].Backend;
        }

        return slots;
    }

    /// <summary>weight / -ln(u) with u in (0, 1) from the backend's hash and the slot: the winner's odds are its share of the weight.</summary>
    private static double Score(ulong backendHash, int slot, int weight)
    {
        var mixed = Mix(backendHash ^ ((ulong)(slot + 1) * 0x9E3779B97F4A7C15UL));
        var unit = ((mixed >> 11) + 0.5) / (1UL << 53);
        return weight / -Math.Log(unit);
    }

    private static ulong IdentityHash(BackendSpec backend) =>
        XxHash64.HashToUInt64(Encoding.ASCII.GetBytes(backend.EndPoint.ToString()), seed: 0x46657272);

    /// <summary>SplitMix64's finalizer: every input bit flips about half the output bits.</summary>
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
