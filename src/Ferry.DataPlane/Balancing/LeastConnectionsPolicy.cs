using System.Net;
using Ferry.DataPlane.State;

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

    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client)
    {
        var available = snapshot.Available;
        var count = available.Count;
        if (count == 0)
        {
            return null;
        }

        var start = (int)((ulong)Interlocked.Increment(ref _counter) % (ulong)count);
        var best = available[start];
        for (var step = 1; step < count; step++)
        {
            var candidate = available[(start + step) % count];
            if (LoadComparison.IsLessLoaded(candidate, best))
            {
                best = candidate;
            }
        }

        return best;
    }
}
