using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Tests.Backends;

/// <summary>New backends under an active check: out of the rotation until their first success, fail-open when none is healthy.</summary>
public class UncheckedBackendTests
{
    private static readonly HealthCheckSpec _check = new() { HealthyThreshold = 3, UnhealthyThreshold = 2 };

    private static BackendState Backend(int port, bool isChecked) =>
        new(new BackendSpec(IPAddress.Loopback, port), isChecked ? BackendHealth.For(_check) : BackendHealth.Unchecked(_check));

    [Fact]
    public void Unchecked_NotHealthy_FirstSuccessAdmitsWhateverTheThreshold()
    {
        var health = BackendHealth.Unchecked(_check);
        var changes = new List<bool>();
        health.Changed += (_, isHealthy) => changes.Add(isHealthy);
        Assert.False(health.IsHealthy);
        Assert.False(health.IsChecked);

        health.ReportSuccess();

        Assert.True(health.IsHealthy);
        Assert.True(health.IsChecked);
        Assert.Equal([true], changes);
    }

    [Fact]
    public void Unchecked_FirstFailureReported_StaysOutUntilItsFirstSuccess()
    {
        var health = BackendHealth.Unchecked(_check);
        var changes = new List<bool>();
        health.Changed += (_, isHealthy) => changes.Add(isHealthy);

        health.ReportFailure();
        health.ReportFailure();
        Assert.False(health.IsHealthy);
        Assert.True(health.IsChecked);
        health.ReportSuccess();

        Assert.True(health.IsHealthy);
        Assert.Equal([false, true], changes);

        // Once in the rotation, the thresholds hold as for any backend.
        health.ReportFailure();
        health.ReportFailure();
        health.ReportSuccess();
        Assert.False(health.IsHealthy);
    }

    [Fact]
    public void Unchecked_WithoutActiveCheck_HealthyFromTheStart()
    {
        var health = BackendHealth.Unchecked(null);
        Assert.True(health.IsHealthy);
        Assert.True(health.IsChecked);
    }

    [Fact]
    public void Pool_UncheckedBackendBesideAHealthyOne_GetsNoTraffic()
    {
        var healthy = Backend(9001, isChecked: true);
        var added = Backend(9002, isChecked: false);
        var pool = new BackendPool();
        pool.SetBackends([healthy, added]);

        Assert.Equal([healthy], pool.Snapshot.Available);
        Assert.False(pool.Snapshot.IsFailOpen);
        added.Health.ReportSuccess();
        Assert.Equal([healthy, added], pool.Snapshot.Available);
    }

    [Fact]
    public void Pool_AllUnchecked_FailsOpenAwaitingFirstCheck_ThenRealFailOpenWhenAllFail()
    {
        var a = Backend(9001, isChecked: false);
        var b = Backend(9002, isChecked: false);
        var pool = new BackendPool();
        var events = new List<(bool FailOpen, bool Awaiting)>();
        pool.FailOpenChanged += (p, isFailOpen) => events.Add((isFailOpen, p.IsAwaitingFirstCheck));
        pool.SetBackends([a, b]);

        Assert.True(pool.Snapshot.IsFailOpen);
        Assert.True(pool.IsAwaitingFirstCheck);
        Assert.Equal([a, b], pool.Snapshot.Available);

        a.Health.ReportFailure();
        Assert.True(pool.IsAwaitingFirstCheck == false && pool.Snapshot.IsFailOpen);
        b.Health.ReportSuccess();

        Assert.False(pool.Snapshot.IsFailOpen);
        Assert.Equal([b], pool.Snapshot.Available);
        Assert.Equal([(true, true), (true, false), (false, false)], events);
    }
}
