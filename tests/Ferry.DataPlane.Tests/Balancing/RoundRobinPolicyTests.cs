using System.Net;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.Balancing;

public class RoundRobinPolicyTests
{
    [Fact]
    public void Pick_NoBackends_ReturnsNull()
    {
        Assert.Null(new RoundRobinPolicy().Pick(BackendSnapshot.Empty, IPAddress.Loopback));
    }

    [Fact]
    public void Pick_EqualWeights_CyclesInOrder()
    {
        var backends = Backends.Weighted(1, 1, 1);
        var snapshot = Backends.Snapshot(backends);
        var policy = new RoundRobinPolicy();

        var picks = Enumerable.Range(0, 6).Select(_ => policy.Pick(snapshot, IPAddress.Loopback)).ToArray();

        Assert.Equal([backends[0], backends[1], backends[2], backends[0], backends[1], backends[2]], picks);
    }

    [Fact]
    public void Pick_Weights_InterleavesSmoothly()
    {
        var backends = Backends.Weighted(3, 1);
        var snapshot = Backends.Snapshot(backends);
        var policy = new RoundRobinPolicy();

        var picks = Enumerable.Range(0, 8).Select(_ => policy.Pick(snapshot, IPAddress.Loopback)).ToArray();

        // Smooth (nginx-like): A A B A, never A A A B.
        Assert.Equal([backends[0], backends[0], backends[1], backends[0], backends[0], backends[0], backends[1], backends[0]], picks);
    }

    [Fact]
    public void Pick_Weights_SharesExactlyProportional()
    {
        var backends = Backends.Weighted(5, 3, 2);
        var counts = Backends.Count(new RoundRobinPolicy(), Backends.Snapshot(backends), 10_000);

        Assert.Equal(5_000, counts[backends[0]]);
        Assert.Equal(3_000, counts[backends[1]]);
        Assert.Equal(2_000, counts[backends[2]]);
    }

    [Fact]
    public void Pick_NewSnapshot_UsesOnlyItsBackends()
    {
        var backends = Backends.Weighted(1, 1, 1);
        var policy = new RoundRobinPolicy();
        Backends.Count(policy, Backends.Snapshot(backends, version: 1), 5);

        var counts = Backends.Count(policy, Backends.Snapshot([backends[0], backends[2]], version: 2), 100);

        Assert.Equal(50, counts[backends[0]]);
        Assert.Equal(50, counts[backends[2]]);
    }

    [Fact]
    public void BuildSchedule_LargeWeights_IsBoundedAndKeepsRatios()
    {
        var backends = Enumerable.Range(0, 200).Select(i => Backends.Create(i, weight: 997 - (i % 2))).ToArray();

        var schedule = RoundRobinPolicy.BuildSchedule(backends);

        Assert.InRange(schedule.Length, backends.Length, RoundRobinPolicy.MaxScheduleLength);
        var perBackend = schedule.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(200, perBackend.Count);
        Assert.InRange(perBackend.Values.Max() - perBackend.Values.Min(), 0, 1);
    }

    [Fact]
    public void BuildSchedule_CommonDivisor_IsReduced()
    {
        var schedule = RoundRobinPolicy.BuildSchedule(Backends.Weighted(200, 400));

        Assert.Equal([1, 0, 1], schedule);
    }
}
