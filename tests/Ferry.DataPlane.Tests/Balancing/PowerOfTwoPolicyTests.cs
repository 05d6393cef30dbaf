using System.Net;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.Balancing;

public class PowerOfTwoPolicyTests
{
    [Fact]
    public void Pick_NoBackends_ReturnsNull()
    {
        Assert.Null(new PowerOfTwoPolicy(new SeededRandomFactory(1)).Pick(BackendSnapshot.Empty, IPAddress.Loopback));
    }

    [Fact]
    public void Pick_OneBackend_ReturnsIt()
    {
        var backends = Backends.Weighted(1);

        Assert.Same(backends[0], new PowerOfTwoPolicy(new SeededRandomFactory(1)).Pick(Backends.Snapshot(backends), IPAddress.Loopback));
    }

    [Fact]
    public void Pick_OneBusyBackend_NeverPicksIt()
    {
        var backends = Backends.Weighted(1, 1, 1);
        for (var i = 0; i < 100; i++)
        {
            backends[0].OnConnectionOpened();
        }

        var counts = Backends.Count(new PowerOfTwoPolicy(new SeededRandomFactory(3)), Backends.Snapshot(backends), 1_000);

        // The two choices are always different backends, so the busy one always loses its comparison.
        Assert.Equal(0, counts[backends[0]]);
        Assert.InRange(counts[backends[1]], 400, 600);
    }

    [Fact]
    public void Pick_TwoBackendsUnevenLoad_AlwaysPicksLessLoaded()
    {
        var backends = Backends.Weighted(1, 1);
        backends[1].OnConnectionOpened();

        var counts = Backends.Count(new PowerOfTwoPolicy(new SeededRandomFactory(4)), Backends.Snapshot(backends), 100);

        Assert.Equal(100, counts[backends[0]]);
    }

    [Fact]
    public void Pick_ConnectionsKeptOpen_SharesFollowWeights()
    {
        var backends = Backends.Weighted(1, 1, 2);

        var counts = Backends.Count(new PowerOfTwoPolicy(new SeededRandomFactory(9)), Backends.Snapshot(backends), 10_000, openConnections: true);

        Assert.InRange(counts[backends[0]], 2_350, 2_650);
        Assert.InRange(counts[backends[1]], 2_350, 2_650);
        Assert.InRange(counts[backends[2]], 4_700, 5_300);
    }

    [Fact]
    public void Pick_IdleWeightedBackends_DrawsByWeight()
    {
        var backends = Backends.Weighted(1, 3);

        // All idle: every pick compares A with B and a tie keeps the first (weighted) draw, B three times in four.
        var counts = Backends.Count(new PowerOfTwoPolicy(new SeededRandomFactory(11)), Backends.Snapshot(backends), 10_000);

        Assert.InRange(counts[backends[1]], 7_200, 7_800);
    }
}
