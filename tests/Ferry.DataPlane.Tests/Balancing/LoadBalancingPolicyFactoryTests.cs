using Ferry.Contracts;
using Ferry.DataPlane.Balancing;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.DataPlane.Tests.Balancing;

public class LoadBalancingPolicyFactoryTests
{
    [Theory]
    [InlineData(BalancingAlgorithm.RoundRobin, typeof(RoundRobinPolicy))]
    [InlineData(BalancingAlgorithm.LeastConnections, typeof(LeastConnectionsPolicy))]
    [InlineData(BalancingAlgorithm.Random, typeof(RandomPolicy))]
    [InlineData(BalancingAlgorithm.PowerOfTwo, typeof(PowerOfTwoPolicy))]
    [InlineData(BalancingAlgorithm.ClientIpHash, typeof(ClientIpHashPolicy))]
    public void Create_EachAlgorithm_ReturnsItsPolicy(BalancingAlgorithm algorithm, Type expected)
    {
        var factory = new LoadBalancingPolicyFactory(new FakeTimeProvider());

        Assert.IsType(expected, factory.Create(algorithm, sessionAffinity: null));
    }

    [Fact]
    public void Create_EveryEnumValue_IsMapped()
    {
        var factory = new LoadBalancingPolicyFactory(new FakeTimeProvider());

        Assert.All(Enum.GetValues<BalancingAlgorithm>(), algorithm => Assert.NotNull(factory.Create(algorithm, null)));
    }

    [Fact]
    public void Create_WithAffinity_WrapsPolicy()
    {
        var factory = new LoadBalancingPolicyFactory(new FakeTimeProvider(), new SeededRandomFactory(1));

        var policy = factory.Create(BalancingAlgorithm.Random, new SessionAffinitySpec(SessionAffinitySpec.DefaultTimeout));

        Assert.IsType<SessionAffinityPolicy>(policy);
    }

    [Fact]
    public void Create_TwoListeners_GetSeparateInstances()
    {
        var factory = new LoadBalancingPolicyFactory(new FakeTimeProvider());

        Assert.NotSame(factory.Create(BalancingAlgorithm.RoundRobin, null), factory.Create(BalancingAlgorithm.RoundRobin, null));
    }
}
