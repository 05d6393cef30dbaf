using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.TestSupport;

/// <summary>Policies that throw on their first pick and then take the first available backend: a stand-in for a buggy policy.</summary>
internal sealed class FlakyPolicyFactory : ILoadBalancingPolicyFactory
{
    public ILoadBalancingPolicy Create(BalancingAlgorithm algorithm, SessionAffinitySpec? sessionAffinity) => new Policy();

    private sealed class Policy : ILoadBalancingPolicy
    {
        private int _picks;

        public BackendState? Pick(BackendSnapshot snapshot, IPAddress client) =>
            Interlocked.Increment(ref _picks) == 1 ? throw new InvalidOperationException("policy bug") : snapshot.Available.Count > 0 ? snapshot.Available[0] : null;
    }
}
