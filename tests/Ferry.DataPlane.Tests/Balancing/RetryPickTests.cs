using System.Net;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.DataPlane.Tests.Balancing;

/// <summary>Picking again after failed connects, excluding the backends already tried.</summary>
public class RetryPickTests
{
    [Theory]
    [InlineData("RoundRobin")]
    [InlineData("LeastConnections")]
    [InlineData("Random")]
    [InlineData("PowerOfTwo")]
    [InlineData("ClientIpHash")]
    public void Pick_ExcludingTried_NeverReturnsTriedAndEndsWithNull(string name)
    {
        ILoadBalancingPolicy policy = name switch
        {
            "RoundRobin" => new RoundRobinPolicy(),
            "LeastConnections" => new LeastConnectionsPolicy(),
            "Random" => new RandomPolicy(new SeededRandomFactory(3)),
            "PowerOfTwo" => new PowerOfTwoPolicy(new SeededRandomFactory(3)),
            _ => new ClientIpHashPolicy(),
        };
        var backends = Backends.Weighted(1, 2, 1, 3);
        var snapshot = Backends.Snapshot(backends);
        var tried = new List<BackendState>();

        for (var attempt = 0; attempt < backends.Length; attempt++)
        {
            var picked = policy.Pick(snapshot, Backends.Client(7), tried.ToArray());
            Assert.NotNull(picked);
            Assert.DoesNotContain(picked, tried);
            tried.Add(picked);
        }

        Assert.Null(policy.Pick(snapshot, Backends.Client(7), tried.ToArray()));
        Assert.Equal(backends.Length, tried.Distinct().Count());
    }

    [Fact]
    public void Pick_ClientIpHashExcluding_GoesWhereRemovalWouldSendTheClient()
    {
        var backends = Backends.Weighted(1, 1, 1, 1, 1);
        var full = Backends.Snapshot(backends, version: 1);
        var withoutThird = Backends.Snapshot([.. backends.Where(b => b != backends[2])], version: 2);
        ILoadBalancingPolicy policy = new ClientIpHashPolicy();
        var reference = new ClientIpHashPolicy();

        for (var i = 0; i < 2_000; i++)
        {
            var client = Backends.Client(i);
            Assert.Same(reference.Pick(withoutThird, client), policy.Pick(full, client, [backends[2]]));
        }
    }

    [Fact]
    public void Pick_LeastConnectionsExcludingLeastLoaded_TakesNextLeast()
    {
        var backends = Backends.Weighted(1, 1, 1);
        backends[0].OnConnectionOpened();
        backends[0].OnConnectionOpened();
        backends[2].OnConnectionOpened();
        ILoadBalancingPolicy policy = new LeastConnectionsPolicy();

        Assert.Same(backends[2], policy.Pick(Backends.Snapshot(backends), IPAddress.Loopback, [backends[1]]));
    }

    [Fact]
    public void Pick_AffinityRetry_RemembersTheNewBackend()
    {
        var backends = Backends.Weighted(1, 1, 1);
        var snapshot = Backends.Snapshot(backends);
        ILoadBalancingPolicy policy = new SessionAffinityPolicy(new ClientIpHashPolicy(), TimeSpan.FromHours(1), new FakeTimeProvider());
        var client = Backends.Client(42);
        var first = policy.Pick(snapshot, client)!;

        var retried = policy.Pick(snapshot, client, [first]);

        Assert.NotNull(retried);
        Assert.NotSame(first, retried);
        Assert.Same(retried, policy.Pick(snapshot, client));
    }
}
