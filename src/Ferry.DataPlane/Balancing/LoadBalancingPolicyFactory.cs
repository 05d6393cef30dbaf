using Ferry.Contracts;

namespace Ferry.DataPlane.Balancing;

/// <summary>The policies Ferry ships, chosen by <see cref="BalancingAlgorithm"/>.</summary>
public sealed class LoadBalancingPolicyFactory : ILoadBalancingPolicyFactory
{
    private readonly TimeProvider _timeProvider;

    public LoadBalancingPolicyFactory(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public ILoadBalancingPolicy Create(BalancingAlgorithm algorithm, SessionAffinitySpec? sessionAffinity)
    {
        _ = _timeProvider; // placeholder until the other policies land
        return new RoundRobinPolicy();
    }
}
