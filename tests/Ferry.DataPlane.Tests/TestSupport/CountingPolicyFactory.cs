using Ferry.Contracts;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.TestSupport;

/// <summary>Round-robin policies, counting how many were created (to see when the data plane replaces them).</summary>
internal sealed class CountingPolicyFactory : ILoadBalancingPolicyFactory
{
    private int _created;

    public int Created => Volatile.Read(ref _created);

    public ILoadBalancingPolicy Create(BalancingAlgorithm algorithm, SessionAffinitySpec? sessionAffinity)
    {
        Interlocked.Increment(ref _created);
        return new RoundRobinPolicy();
    }
}
