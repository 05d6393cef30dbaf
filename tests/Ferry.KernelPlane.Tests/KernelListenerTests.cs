using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;

namespace Ferry.KernelPlane.Tests;

/// <summary>Planning a listener's change without touching it, and the pool notification the kernel plane follows.</summary>
public class KernelListenerTests
{
    private static readonly LoadBalancerKey _key = new("default", "web");
    private static readonly HealthCheckSpec _check = new() { HealthyThreshold = 1, UnhealthyThreshold = 1 };

    private static ListenerSpec Listener(HealthCheckSpec? check, params int[] ports) => new()
    {
        Protocol = TransportProtocol.Tcp,
        Port = 80,
        Backends = [.. ports.Select(p => new BackendSpec(IPAddress.Parse("198.51.100.2"), p))],
        HealthCheck = check,
    };

    [Fact]
    public void Plan_KeepsHealthOfKeptBackends_RemovesOthers_AndTouchesNothingUntilCommitted()
    {
        var monitors = new ManualHealthMonitors();
        var first = KernelListener.Plan(null, _key, Listener(_check, 1, 2));
        var listener = first.Listener;
        Assert.Null(listener.Commit(first, monitors));
        var (one, two) = (listener.Pool.Backends[0], listener.Pool.Backends[1]);
        one.Health.ReportSuccess();
        two.Health.ReportFailure();
        Assert.Equal([1], listener.Available.Select(b => b.Port));

        var plan = KernelListener.Plan(listener, _key, Listener(_check, 1, 3));

        Assert.Same(one, plan.States[0]);
        Assert.False(plan.States[1].Health.IsChecked);
        Assert.Equal([two], plan.Removed);
        Assert.Equal([1], plan.Available.Select(b => b.Port));
        Assert.Equal([one, two], listener.Pool.Backends); // not committed yet
        Assert.False(two.IsDraining);

        listener.Commit(plan, monitors);
        Assert.True(two.IsDraining);
        Assert.Equal([one, plan.States[1]], Assert.Single(monitors.Created).Backends);
    }

    [Fact]
    public void Plan_AChangedCheckJudgesEveryBackendAfresh_AndNoneLeavesThemHealthy()
    {
        var monitors = new ManualHealthMonitors();
        var first = KernelListener.Plan(null, _key, Listener(_check, 1, 2));
        var listener = first.Listener;
        listener.Commit(first, monitors);
        listener.Pool.Backends[0].Health.ReportSuccess();
        listener.Pool.Backends[1].Health.ReportFailure();

        var plan = KernelListener.Plan(listener, _key, Listener(null, 1, 2));

        Assert.All(plan.States, s => Assert.True(s.IsHealthy));
        Assert.Equal([1, 2], plan.Available.Select(b => b.Port));
        Assert.Same(monitors.Created[0], listener.Commit(plan, monitors));
        Assert.Null(listener.Monitor);
    }

    [Fact]
    public void Pool_SnapshotChanged_FiresAfterAHealthFlip_WithTheNewSnapshotInPlace()
    {
        var a = new BackendState(new BackendSpec(IPAddress.Loopback, 1), new BackendHealth(1, 1));
        var b = new BackendState(new BackendSpec(IPAddress.Loopback, 2), new BackendHealth(1, 1));
        var pool = new BackendPool();
        pool.SetBackends([a, b]);
        var seen = new List<IReadOnlyList<BackendState>>();
        pool.SnapshotChanged += p => seen.Add(p.Snapshot.Available);

        a.Health.ReportFailure();

        Assert.Equal([b], Assert.Single(seen));
    }
}
