using System.Net;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// Picks the backend with the fewest active connections per unit of weight.
/// </summary>
/// <remarks>
/// The scan starts at a rotating offset and keeps the first strictly smaller load it sees, so backends that
/// tie (e.g. all idle) take turns instead of the first one receiving every burst of new connections.
/// O(n) per pick with no allocation; the counters are read without locks, so under heavy concurrency two
/// picks may see the same loads, which is the usual and harmless race of least-connections balancers.
/// </remarks>
public sealed class LeastConnectionsPolicy : ILoadBalancingPolicy
{
    private long _counter = -1;

    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client) => Pick(snapshot, client, []);

    /// <summary>The least loaded backend that was not tried yet.</summary>
    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client, ReadOnlySpan<BackendState> exclude)
    {
        var available = snapshot.Available;
        var count = available.Count;
        if (count == 0)
        {
            return null;
        }

        var start = (int)((ulong)Interlocked.Increment(ref _counter) % (ulong)count);
        BackendState? best = null;
        for (var step = 0; step < count; step++)
        {
            var candidate = available[(start + step) % count];
            if ((best is null || LoadComparison.IsLessLoaded(candidate, best)) && !Excluded.Contains(exclude, candidate))
            {
                best = candidate;
            }
        }

        return best;
    }
}
