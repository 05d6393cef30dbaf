using Ferry.Contracts;

namespace Ferry.DataPlane.Balancing;

/// <summary>Creates the policy of one listener from the load balancer's algorithm and affinity.</summary>
public interface ILoadBalancingPolicyFactory
{
    ILoadBalancingPolicy Create(BalancingAlgorithm algorithm, SessionAffinitySpec? sessionAffinity);
}
