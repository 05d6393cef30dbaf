using System.Net;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.DataPlane.Tests.Balancing;

public class SessionAffinityPolicyTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(10);
    private readonly FakeTimeProvider _time = new();

    private SessionAffinityPolicy Create(int maxEntries = SessionAffinityPolicy.DefaultMaxEntries) =>
        new(new RoundRobinPolicy(), _timeout, _time, maxEntries);

    [Fact]
    public void Pick_WithinTimeout_KeepsBackend()
    {
        var backends = Backends.Weighted(1, 1, 1);
        var snapshot = Backends.Snapshot(backends);
        var policy = Create();
        var client = Backends.Client(1);

        var first = policy.Pick(snapshot, client);
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(_timeout - TimeSpan.FromSeconds(1)); // sliding: each pick restarts the timeout
            Assert.Same(first, policy.Pick(snapshot, client));
        }
    }

    [Fact]
    public void Pick_DifferentClients_AreBalanced()
    {
        var backends = Backends.Weighted(1, 1, 1);
        var snapshot = Backends.Snapshot(backends);
        var policy = Create();

        var picks = Enumerable.Range(0, 3).Select(i => policy.Pick(snapshot, Backends.Client(i))).ToArray();

        Assert.Equal(backends, picks);
        Assert.Equal(3, policy.Count);
    }

    [Fact]
    public void Pick_AfterTimeout_PicksAgain()
    {
        var backends = Backends.Weighted(1, 1, 1);
        var snapshot = Backends.Snapshot(backends);
        var policy = Create();
        var client = Backends.Client(1);
        Assert.Same(backends[0], policy.Pick(snapshot, client));

        _time.Advance(_timeout + TimeSpan.FromSeconds(1));

        Assert.Same(backends[1], policy.Pick(snapshot, client));
        Assert.Same(backends[1], policy.Pick(snapshot, client));
    }

    [Fact]
    public void Pick_RememberedBackendUnavailable_PicksAgainAndRemembersNew()
    {
        var backends = Backends.Weighted(1, 1, 1);
        var policy = Create();
        var client = Backends.Client(1);
        Assert.Same(backends[0], policy.Pick(Backends.Snapshot(backends, version: 1), client));

        var withoutFirst = Backends.Snapshot([backends[1], backends[2]], version: 2);
        var repicked = policy.Pick(withoutFirst, client);
        Assert.NotSame(backends[0], repicked);

        // The new backend sticks even after the old one returns.
        Assert.Same(repicked, policy.Pick(Backends.Snapshot(backends, version: 3), client));
    }

    [Fact]
    public void Pick_RecreatedBackendStateSameEndPoint_KeepsEndPoint()
    {
        var backends = Backends.Weighted(1, 1, 1);
        var policy = Create();
        var client = Backends.Client(1);
        var first = policy.Pick(Backends.Snapshot(backends, version: 1), client)!;

        var recreated = Backends.Weighted(1, 1, 1);
        var again = policy.Pick(Backends.Snapshot(recreated, version: 2), client)!;

        Assert.Equal(first.EndPoint, again.EndPoint);
        Assert.Contains(again, recreated);
    }

    [Fact]
    public void Pick_NoBackends_ReturnsNull()
    {
        Assert.Null(Create().Pick(BackendSnapshot.Empty, IPAddress.Loopback));
    }

    [Fact]
    public void Pick_TableFull_SweepsExpiredAndStaysBounded()
    {
        var snapshot = Backends.Snapshot(Backends.Weighted(1, 1));
        var policy = Create(maxEntries: 4);
        for (var i = 0; i < 10; i++)
        {
            policy.Pick(snapshot, Backends.Client(i));
        }

        Assert.Equal(4, policy.Count);

        _time.Advance(_timeout + TimeSpan.FromSeconds(1));
        policy.Pick(snapshot, Backends.Client(100));

        Assert.Equal(1, policy.Count);
    }

    [Fact]
    public void Pick_TableFullOfLiveClients_StillServesNewClients()
    {
        var snapshot = Backends.Snapshot(Backends.Weighted(1, 1));
        var policy = Create(maxEntries: 1);
        policy.Pick(snapshot, Backends.Client(1));

        Assert.NotNull(policy.Pick(snapshot, Backends.Client(2)));
        Assert.Equal(1, policy.Count);
    }

    [Fact]
    public void Sweep_ExpiredEntries_AreRemovedLazily()
    {
        var snapshot = Backends.Snapshot(Backends.Weighted(1, 1));
        var policy = Create();
        for (var i = 0; i < 100; i++)
        {
            policy.Pick(snapshot, Backends.Client(i));
        }

        _time.Advance(_timeout / 2);
        policy.Pick(snapshot, Backends.Client(0)); // keeps client 0 alive
        _time.Advance((_timeout / 2) + TimeSpan.FromSeconds(1));
        policy.Pick(snapshot, Backends.Client(0)); // a sweep is due: the other 99 expired

        Assert.Equal(1, policy.Count);
    }
}
