using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// Cumulative weights of a snapshot's available backends, for weighted random picks by binary search.
/// </summary>
internal sealed class WeightTable
{
    // _cumulative[i] is the sum of the weights of backends 0..i.
    private readonly long[] _cumulative;

    public WeightTable(BackendSnapshot snapshot)
    {
        var available = snapshot.Available;
        _cumulative = new long[available.Count];
        long total = 0;
        var allEqual = true;
        for (var i = 0; i < available.Count; i++)
        {
            var weight = EffectiveWeight(available[i]);
            allEqual &= i == 0 || weight == EffectiveWeight(available[0]);
            total += weight;
            _cumulative[i] = total;
        }

        Total = total;
        AllEqual = allEqual;
    }

    public int Count => _cumulative.Length;

    public long Total { get; }

    /// <summary>True when all weights are equal, so a uniform index is enough.</summary>
    public bool AllEqual { get; }

    /// <summary>Contract weights are 1–1000; anything below 1 is treated as 1 rather than starving the backend.</summary>
    public static int EffectiveWeight(BackendState backend) => Math.Max(1, backend.Weight);

    public long WeightOf(int index) => index == 0 ? _cumulative[0] : _cumulative[index] - _cumulative[index - 1];

    /// <summary>A backend index drawn with probability proportional to its weight.</summary>
    public int Pick(Random random) => AllEqual ? random.Next(Count) : IndexOf(random.NextInt64(Total));

    /// <summary>
    /// A backend index other than <paramref name="excluded"/>, drawn with probability proportional to weight
    /// among the others (sampling without replacement). Needs at least two backends.
    /// </summary>
    public int PickOther(Random random, int excluded)
    {
        if (AllEqual)
        {
            var index = random.Next(Count - 1);
            return index >= excluded ? index + 1 : index;
        }

        // Draw over the total without the excluded weight, then step over its interval.
        var excludedStart = excluded == 0 ? 0 : _cumulative[excluded - 1];
        var point = random.NextInt64(Total - WeightOf(excluded));
        if (point >= excludedStart)
        {
            point += WeightOf(excluded);
        }

        return IndexOf(point);
    }

    /// <summary>The index whose cumulative interval [start, end) holds <paramref name="point"/>.</summary>
    private int IndexOf(long point)
    {
        // First cumulative value strictly greater than point.
        int low = 0, high = _cumulative.Length - 1;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_cumulative[mid] > point)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low;
    }
}
