using Ferry.Contracts;

namespace Ferry.DataPlane.Balancing;

/// <summary>The policies Ferry ships, chosen by <see cref="BalancingAlgorithm"/>, wrapped for session affinity.</summary>
public sealed class LoadBalancingPolicyFactory : ILoadBalancingPolicyFactory
{
    private readonly TimeProvider _timeProvider;
    private readonly IRandomFactory _randomFactory;

    /// <param name="timeProvider">Measures the session affinity timeout.</param>
    /// <param name="randomFactory">Randomness of the random policies; <see cref="RandomFactory"/> when null.</param>
    public LoadBalancingPolicyFactory(TimeProvider timeProvider, IRandomFactory? randomFactory = null)
    {
        _timeProvider = timeProvider;
        _randomFactory = randomFactory ?? new RandomFactory();
    }

    /// <summary>A new policy instance for one listener (policies keep per-listener state such as counters).</summary>
    public ILoadBalancingPolicy Create(BalancingAlgorithm algorithm, SessionAffinitySpec? sessionAffinity)
    {
        ILoadBalancingPolicy policy = algorithm switch
        {
            BalancingAlgorithm.RoundRobin => new RoundRobinPolicy(),
            BalancingAlgorithm.LeastConnections => new LeastConnectionsPolicy(),
            BalancingAlgorithm.Random => new RandomPolicy(_randomFactory),
            BalancingAlgorithm.PowerOfTwo => new PowerOfTwoPolicy(_randomFactory),
            BalancingAlgorithm.ClientIpHash => new ClientIpHashPolicy(),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown balancing algorithm."),
        };

        return sessionAffinity is null
            ? policy
            : new SessionAffinityPolicy(policy, sessionAffinity.Timeout, _timeProvider);
    }
}
