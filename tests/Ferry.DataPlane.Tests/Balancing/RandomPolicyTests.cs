using System.Net;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.Balancing;

public class RandomPolicyTests
{
    [Fact]
    public void Pick_NoBackends_ReturnsNull()
    {
        Assert.Null(new RandomPolicy(new SeededRandomFactory(1)).Pick(BackendSnapshot.Empty, IPAddress.Loopback));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Pick_Weights_SharesFollowWeights(int seed)
    {
        var backends = Backends.Weighted(1, 2, 7);

        var counts = Backends.Count(new RandomPolicy(new SeededRandomFactory(seed)), Backends.Snapshot(backends), 10_000);

        Assert.InRange(counts[backends[0]], 800, 1_200);
        Assert.InRange(counts[backends[1]], 1_750, 2_250);
        Assert.InRange(counts[backends[2]], 6_700, 7_300);
    }

    [Fact]
    public void Pick_EqualWeights_SharesEven()
    {
        var backends = Backends.Weighted(1, 1, 1, 1);

        var counts = Backends.Count(new RandomPolicy(new SeededRandomFactory(7)), Backends.Snapshot(backends), 10_000);

        Assert.All(counts.Values, count => Assert.InRange(count, 2_300, 2_700));
    }

    [Fact]
    public void Pick_SameSeed_SameSequence()
    {
        var backends = Backends.Weighted(1, 2, 3);
        var snapshot = Backends.Snapshot(backends);
        var first = new RandomPolicy(new SeededRandomFactory(5));
        var second = new RandomPolicy(new SeededRandomFactory(5));

        var a = Enumerable.Range(0, 50).Select(_ => first.Pick(snapshot, IPAddress.Loopback)).ToArray();
        var b = Enumerable.Range(0, 50).Select(_ => second.Pick(snapshot, IPAddress.Loopback)).ToArray();

        Assert.Equal(a, b);
        Assert.Equal(3, a.Distinct().Count());
    }
}
