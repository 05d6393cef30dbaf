using System.Net;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.Balancing;

public class LeastConnectionsPolicyTests
{
    private static void Open(BackendState backend, int count)
    {
        for (var i = 0; i < count; i++)
        {
            backend.OnConnectionOpened();
        }
    }

    [Fact]
    public void Pick_NoBackends_ReturnsNull()
    {
        Assert.Null(new LeastConnectionsPolicy().Pick(BackendSnapshot.Empty, IPAddress.Loopback));
    }

    [Fact]
    public void Pick_UnevenLoad_PicksLeastLoaded()
    {
        var backends = Backends.Weighted(1, 1, 1);
        Open(backends[0], 5);
        Open(backends[1], 1);
        Open(backends[2], 3);
        var policy = new LeastConnectionsPolicy();

        for (var i = 0; i < 10; i++)
        {
            Assert.Same(backends[1], policy.Pick(Backends.Snapshot(backends), IPAddress.Loopback));
        }
    }

    [Fact]
    public void Pick_Ties_RotateAmongEqualBackends()
    {
        var backends = Backends.Weighted(1, 1, 1);

        var counts = Backends.Count(new LeastConnectionsPolicy(), Backends.Snapshot(backends), 300);

        Assert.All(counts.Values, count => Assert.Equal(100, count));
    }

    [Fact]
    public void Pick_Weights_ComparesConnectionsPerWeight()
    {
        var backends = Backends.Weighted(3, 1);
        Open(backends[0], 2); // 2/3 per weight
        Open(backends[1], 1); // 1/1 per weight

        Assert.Same(backends[0], new LeastConnectionsPolicy().Pick(Backends.Snapshot(backends), IPAddress.Loopback));
    }

    [Fact]
    public void Pick_ConnectionsKeptOpen_SharesFollowWeights()
    {
        var backends = Backends.Weighted(3, 1, 1);

        var counts = Backends.Count(new LeastConnectionsPolicy(), Backends.Snapshot(backends), 10_000, openConnections: true);

        Assert.InRange(counts[backends[0]], 5_995, 6_005);
        Assert.InRange(counts[backends[1]], 1_995, 2_005);
        Assert.InRange(counts[backends[2]], 1_995, 2_005);
    }

    [Fact]
    public void Pick_ClosedConnections_BackendGetsTrafficAgain()
    {
        var backends = Backends.Weighted(1, 1);
        Open(backends[0], 3);
        var policy = new LeastConnectionsPolicy();
        Assert.Same(backends[1], policy.Pick(Backends.Snapshot(backends), IPAddress.Loopback));

        for (var i = 0; i < 3; i++)
        {
            backends[0].OnConnectionClosed();
        }

        Open(backends[1], 1);
        Assert.Same(backends[0], policy.Pick(Backends.Snapshot(backends), IPAddress.Loopback));
    }
}
