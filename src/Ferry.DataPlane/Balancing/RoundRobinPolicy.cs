using System.Net;
using Ferry.DataPlane.State;

namespace Ferry.DataPlane.Balancing;

/// <summary>Each new connection goes to the next available backend in turn.</summary>
public sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    private uint _counter;

    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client)
    {
        var available = snapshot.Available;
        if (available.Count == 0)
        {
            return null;
        }

        var next = Interlocked.Increment(ref _counter);
        return available[(int)(next % (uint)available.Count)];
    }
}
