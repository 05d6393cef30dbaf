using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Tests.Backends;

public class BackendHealthTests
{
    [Fact]
    public void For_NoCheck_UsesPassiveDefaults()
    {
        var health = BackendHealth.For(null);

        health.ReportFailure();
        health.ReportFailure();
        Assert.True(health.IsHealthy);
        health.ReportFailure();
        Assert.False(health.IsHealthy);
        health.ReportSuccess();
        Assert.True(health.IsHealthy);
    }

    [Fact]
    public void ReportFailure_ReachesUnhealthyThreshold_FlipsOnce()
    {
        var health = BackendHealth.For(new HealthCheckSpec { HealthyThreshold = 2, UnhealthyThreshold = 3 });
        var changes = new List<bool>();
        health.Changed += (_, isHealthy) => changes.Add(isHealthy);

        for (var i = 0; i < 5; i++)
        {
            health.ReportFailure();
            Assert.Equal(i < 2, health.IsHealthy);
        }

        Assert.Equal([false], changes);
    }

    [Fact]
    public void ReportSuccess_BetweenFailures_ResetsTheStreak()
    {
        var health = new BackendHealth(healthyThreshold: 1, unhealthyThreshold: 2);

        health.ReportFailure();
        health.ReportSuccess();
        health.ReportFailure();

        Assert.True(health.IsHealthy);
    }

    [Fact]
    public void ReportSuccess_AfterDown_NeedsHealthyThresholdInARow()
    {
        var health = new BackendHealth(healthyThreshold: 3, unhealthyThreshold: 1);
        var changes = new List<bool>();
        health.Changed += (_, isHealthy) => changes.Add(isHealthy);
        health.ReportFailure();

        health.ReportSuccess();
        health.ReportSuccess();
        health.ReportFailure();
        health.ReportSuccess();
        health.ReportSuccess();
        Assert.False(health.IsHealthy);
        health.ReportSuccess();

        Assert.True(health.IsHealthy);
        Assert.Equal([false, true], changes);
    }

    [Fact]
    public void OnConnectFailed_PassiveFailures_RemoveBackendFromPool()
    {
        var a = new BackendState(new BackendSpec(IPAddress.Loopback, 9001), BackendHealth.For(new HealthCheckSpec { UnhealthyThreshold = 2 }));
        var b = new BackendState(new BackendSpec(IPAddress.Loopback, 9002), BackendHealth.For(new HealthCheckSpec { UnhealthyThreshold = 2 }));
        var pool = new BackendPool();
        pool.SetBackends([a, b]);

        a.OnConnectFailed();
        Assert.Equal([a, b], pool.Snapshot.Available);
        a.OnConnectFailed();

        Assert.False(a.IsHealthy);
        Assert.Equal(2, a.ConnectFailures);
        Assert.Equal([b], pool.Snapshot.Available);
    }
}
