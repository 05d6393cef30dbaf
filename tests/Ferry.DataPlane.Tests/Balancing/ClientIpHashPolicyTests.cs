using System.Net;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.Balancing;

public class ClientIpHashPolicyTests
{
    private const int Clients = 10_000;

    // XXH3 (seed "FerryHas") of ::ffff:192.0.2.1, computed once; it must never change between releases.
    private const ulong GoldenHash = 2364726393703898748;

    private static BackendState[] Map(ClientIpHashPolicy policy, BackendSnapshot snapshot) =>
        [.. Enumerable.Range(0, Clients).Select(i => policy.Pick(snapshot, Backends.Client(i)) ?? throw new InvalidOperationException())];

    [Fact]
    public void Pick_NoBackends_ReturnsNull()
    {
        Assert.Null(new ClientIpHashPolicy().Pick(BackendSnapshot.Empty, IPAddress.Loopback));
    }

    [Fact]
    public void Pick_SameClient_SameBackend()
    {
        var backends = Backends.Weighted(1, 1, 1, 1);
        var policy = new ClientIpHashPolicy();

        var first = Map(policy, Backends.Snapshot(backends, version: 1));
        var again = Map(new ClientIpHashPolicy(), Backends.Snapshot(backends, version: 2));

        Assert.Equal(first, again);
    }

    [Fact]
    public void Pick_BackendOrder_DoesNotMatter()
    {
        var backends = Backends.Weighted(1, 2, 1, 3);
        var policy = new ClientIpHashPolicy();

        var forward = Map(policy, Backends.Snapshot(backends));
        var reversed = Map(policy, Backends.Snapshot([.. backends.Reverse()]));

        Assert.Equal(forward, reversed);
    }

    [Fact]
    public void Pick_EqualWeights_SpreadsClientsEvenly()
    {
        var backends = Backends.Weighted(1, 1, 1, 1, 1);

        var counts = Map(new ClientIpHashPolicy(), Backends.Snapshot(backends)).GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(5, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 1_600, 2_400));
    }

    [Fact]
    public void Pick_Weights_SharesFollowWeights()
    {
        var backends = Backends.Weighted(1, 3);

        var onHeavy = Map(new ClientIpHashPolicy(), Backends.Snapshot(backends)).Count(b => b == backends[1]);

        Assert.InRange(onHeavy, 7_000, 8_000);
    }

    [Fact]
    public void Pick_BackendRemoved_MovesOnlyItsClients()
    {
        var backends = Backends.Weighted(1, 1, 1, 1, 1);
        var policy = new ClientIpHashPolicy();
        var before = Map(policy, Backends.Snapshot(backends, version: 1));

        var after = Map(policy, Backends.Snapshot([.. backends.Where(b => b != backends[2])], version: 2));

        var moved = 0;
        for (var i = 0; i < Clients; i++)
        {
            if (before[i] != backends[2])
            {
                Assert.Same(before[i], after[i]);
            }
            else
            {
                Assert.NotSame(backends[2], after[i]);
                moved++;
            }
        }

        Assert.InRange(moved, Clients / 5 * 8 / 10, Clients / 5 * 12 / 10);
    }

    [Fact]
    public void Pick_BackendFailsHealth_MovesOnlyItsClients()
    {
        var backends = Backends.Weighted(1, 1, 1, 1);
        var pool = new BackendPool();
        pool.SetBackends(backends);
        var policy = new ClientIpHashPolicy();
        var before = Map(policy, pool.Snapshot);

        for (var i = 0; i < 3; i++)
        {
            backends[1].OnConnectFailed(); // passive failures, default unhealthy threshold 3
        }

        Assert.False(backends[1].IsHealthy);
        var after = Map(policy, pool.Snapshot);
        var moved = Enumerable.Range(0, Clients).Count(i => before[i] != after[i]);
        Assert.All(Enumerable.Range(0, Clients).Where(i => before[i] != after[i]), i => Assert.Same(backends[1], before[i]));
        Assert.Equal(before.Count(b => b == backends[1]), moved);

        backends[1].Health.ReportSuccess(); // healthy threshold 1: back, and its clients with it
        Assert.Equal(before, Map(policy, pool.Snapshot));
    }

    [Fact]
    public void Pick_BackendAdded_MovesClientsOnlyToIt()
    {
        var backends = Backends.Weighted(1, 1, 1, 1, 1);
        var policy = new ClientIpHashPolicy();
        var before = Map(policy, Backends.Snapshot(backends[..4], version: 1));

        var after = Map(policy, Backends.Snapshot(backends, version: 2));

        var moved = Enumerable.Range(0, Clients).Where(i => before[i] != after[i]).ToArray();
        Assert.All(moved, i => Assert.Same(backends[4], after[i]));
        Assert.InRange(moved.Length, Clients / 5 * 8 / 10, Clients / 5 * 12 / 10);
    }

    [Fact]
    public void Pick_IPv4MappedClient_SameBackendAsIPv4()
    {
        var snapshot = Backends.Snapshot(Backends.Weighted(1, 1, 1, 1, 1, 1, 1));
        var policy = new ClientIpHashPolicy();

        for (var i = 0; i < 100; i++)
        {
            var client = Backends.Client(i);
            Assert.Same(policy.Pick(snapshot, client), policy.Pick(snapshot, client.MapToIPv6()));
        }
    }

    [Fact]
    public void Hash_FixedAddress_IsStableAcrossProcesses()
    {
        // Golden values: if these change, every Ferry instance in a fleet would disagree with older ones.
        Assert.Equal(ClientAddressKey.Hash(IPAddress.Parse("192.0.2.1")), ClientAddressKey.Hash(IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.Equal(GoldenHash, ClientAddressKey.Hash(IPAddress.Parse("192.0.2.1")));
    }

}
