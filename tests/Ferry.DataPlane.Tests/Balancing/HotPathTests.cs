using System.Net;
using Ferry.DataPlane.Balancing;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.DataPlane.Tests.Balancing;

/// <summary>Picks run once per connection or UDP flow: they must not allocate once the snapshot is cached, and must be thread-safe.</summary>
public class HotPathTests
{
    public static TheoryData<string> Policies => ["RoundRobin", "LeastConnections", "Random", "PowerOfTwo", "ClientIpHash", "Affinity"];

    private static ILoadBalancingPolicy Create(string name) => name switch
    {
        "RoundRobin" => new RoundRobinPolicy(),
        "LeastConnections" => new LeastConnectionsPolicy(),
        "Random" => new RandomPolicy(new RandomFactory()),
        "PowerOfTwo" => new PowerOfTwoPolicy(new RandomFactory()),
        "ClientIpHash" => new ClientIpHashPolicy(),
        "Affinity" => new SessionAffinityPolicy(new ClientIpHashPolicy(), TimeSpan.FromHours(3), new FakeTimeProvider()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void Pick_CachedSnapshot_DoesNotAllocate(string name)
    {
        var policy = Create(name);
        var snapshot = Backends.Snapshot(Backends.Weighted(1, 2, 3, 4));
        var clients = Enumerable.Range(0, 16).Select(Backends.Client).ToArray();
        for (var i = 0; i < 10_000; i++)
        {
            policy.Pick(snapshot, clients[i % clients.Length]); // warm up: caches, affinity entries, JIT tiers
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            policy.Pick(snapshot, clients[i % clients.Length]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Pick_RoundRobinFromManyThreads_SharesStayExact()
    {
        var backends = Backends.Weighted(1, 2, 5);
        var snapshot = Backends.Snapshot(backends);
        var policy = new RoundRobinPolicy();
        var counts = new int[backends.Length];

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(
            () =>
            {
                for (var i = 0; i < 20_000; i++)
                {
                    var picked = policy.Pick(snapshot, IPAddress.Loopback)!;
                    Interlocked.Increment(ref counts[Array.IndexOf(backends, picked)]);
                }
            },
            TestContext.Current.CancellationToken)));

        Assert.Equal([10_000, 20_000, 50_000], counts);
    }

    [Fact]
    public async Task Pick_AffinityFromManyThreads_EachClientKeepsOneBackend()
    {
        var snapshot = Backends.Snapshot(Backends.Weighted(1, 1, 1, 1));
        var policy = new SessionAffinityPolicy(new RoundRobinPolicy(), TimeSpan.FromHours(3), new FakeTimeProvider());
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<(int Client, Ferry.DataPlane.Backends.BackendState Backend), byte>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(
            () =>
            {
                for (var i = 0; i < 20_000; i++)
                {
                    var client = i % 500;
                    seen.TryAdd((client, policy.Pick(snapshot, Backends.Client(client))!), 0);
                }
            },
            TestContext.Current.CancellationToken)));

        Assert.Equal(500, seen.Count);
        Assert.Equal(500, policy.Count);
    }
}
