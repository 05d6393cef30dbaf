using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Tests.Backends;

public class BackendPoolTests
{
    private static BackendState Backend(int port) =>
        new(new BackendSpec(IPAddress.Loopback, port), new BackendHealth(healthyThreshold: 1, unhealthyThreshold: 2));

    [Fact]
    public void Rebuild_UnhealthyBackend_LeavesSnapshot()
    {
        var a = Backend(9001);
        var b = Backend(9002);
        var pool = new BackendPool();
        pool.SetBackends([a, b]);

        a.Health.ReportFailure();
        Assert.Equal([a, b], pool.Snapshot.Available);
        a.Health.ReportFailure();

        Assert.Equal([b], pool.Snapshot.Available);
        Assert.False(pool.Snapshot.IsFailOpen);
    }

    [Fact]
    public void Rebuild_NoHealthyBackend_FailsOpenAcrossAll()
    {
        var a = Backend(9001);
        var b = Backend(9002);
        var pool = new BackendPool();
        var failOpenEvents = new List<bool>();
        pool.FailOpenChanged += (_, isFailOpen) => failOpenEvents.Add(isFailOpen);
        pool.SetBackends([a, b]);

        foreach (var backend in new[] { a, b, a, b })
        {
            backend.Health.ReportFailure();
        }

        Assert.True(pool.Snapshot.IsFailOpen);
        Assert.Equal([a, b], pool.Snapshot.Available);
        b.Health.ReportSuccess();
        Assert.False(pool.Snapshot.IsFailOpen);
        Assert.Equal([b], pool.Snapshot.Available);
        Assert.Equal([true, false], failOpenEvents);
    }

    [Fact]
    public void Rebuild_DrainingBackend_GetsNoTraffic()
    {
        var a = Backend(9001);
        var b = Backend(9002);
        var pool = new BackendPool();
        pool.SetBackends([a, b]);

        b.MarkDraining();
        pool.Rebuild();

        Assert.Equal([a], pool.Snapshot.Available);
    }
}
