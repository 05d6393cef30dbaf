using System.Net;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// Weighted round robin: each new connection goes to the next backend of a smooth, interleaved schedule
/// in which every backend appears as often as its weight.
/// </summary>
/// <remarks>
/// The schedule is computed once per snapshot (earliest-deadline-first over virtual times
/// <c>(2k + 1) / 2w</c>, which interleaves like nginx's smooth weighted round robin: weights 3 and 1 give
/// A A B A, not A A A B); a pick is one <see cref="Interlocked"/> increment and an array read.
/// Weights are first divided by their greatest common divisor, and a schedule longer than
/// <see cref="MaxScheduleLength"/> is scaled down proportionally (each backend keeps at least one slot).
/// </remarks>
public sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    /// <summary>Bounds the memory and build time of one schedule.</summary>
    public const int MaxScheduleLength = 1 << 16;

    private readonly SnapshotCache<int[]> _schedule = new();
    private long _counter = -1;

    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client)
    {
        var available = snapshot.Available;
        if (available.Count == 0)
        {
            return null;
        }

        var schedule = _schedule.Get(snapshot, static s => BuildSchedule(s.Available));
        var next = (ulong)Interlocked.Increment(ref _counter);
        return available[schedule[(int)(next % (ulong)schedule.Length)]];
    }

    internal static int[] BuildSchedule(IReadOnlyList<BackendState> backends)
    {
        var weights = new long[backends.Count];
        long gcd = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = WeightTable.EffectiveWeight(backends[i]);
            gcd = Gcd(gcd, weights[i]);
        }

        long total = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] /= gcd;
            total += weights[i];
        }

        if (total > MaxScheduleLength && total > weights.Length)
        {
            var limit = Math.Max(MaxScheduleLength, weights.Length);
            var scaled = 0L;
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = Math.Max(1, weights[i] * limit / total);
                scaled += weights[i];
            }

            total = scaled;
        }

        var schedule = new int[total];
        var queue = new PriorityQueue<int, (double Deadline, int Index)>(weights.Length);
        var rounds = new long[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            queue.Enqueue(i, (Deadline(0, weights[i]), i));
        }

        for (var slot = 0; slot < schedule.Length; slot++)
        {
            var index = queue.Dequeue();
            schedule[slot] = index;
            if (++rounds[index] < weights[index])
            {
                queue.Enqueue(index, (Deadline(rounds[index], weights[index]), index));
            }
        }

        return schedule;
    }

    // Computed directly (not accumulated) so equal fractions give equal doubles and ties break by index.
    private static double Deadline(long round, long weight) => ((2.0 * round) + 1) / (2.0 * weight);

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
