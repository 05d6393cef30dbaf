using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Health;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Ferry.DataPlane.Tests.Health;

public class HealthTransitionLoggerTests
{
    private const string Listener = "default/dns 53/UDP";

    private static BackendState Backend(int port, string? name = null) =>
        new(new BackendSpec(IPAddress.Parse("10.1.2.3"), port, Name: name), new BackendHealth(healthyThreshold: 1, unhealthyThreshold: 2));

    [Fact]
    public void PassiveOnlyListener_FailedConnects_LogDownThenUp()
    {
        var backend = Backend(5353, "node-b");
        var logger = new FakeLogger();
        var metrics = new HealthMetrics();
        using var transitions = new MetricCollector<long>(metrics.Meter, "ferry.health.transitions");
        using var log = new HealthTransitionLogger(Listener, logger, metrics);
        log.SetBackends([backend]);

        backend.OnConnectFailed();
        Assert.Equal(0, logger.Collector.Count);
        backend.OnConnectFailed();
        var down = logger.Collector.LatestRecord;
        Assert.Equal("BackendDown", down.Id.Name);
        Assert.Equal(LogLevel.Warning, down.Level);
        Assert.Equal($"Listener {Listener}: backend 10.1.2.3:5353 (node-b) is unhealthy: failed connects", down.Message);

        backend.Health.ReportSuccess();

        Assert.Equal("BackendUp", logger.Collector.LatestRecord.Id.Name);
        Assert.Equal(2, transitions.GetMeasurementSnapshot().Count);
        Assert.Equal("unhealthy", transitions.GetMeasurementSnapshot()[0].Tags["state"]);
    }

    [Fact]
    public void RecordFailure_ReasonAppearsInDownLog()
    {
        var backend = Backend(80);
        var logger = new FakeLogger();
        using var log = new HealthTransitionLogger(Listener, logger);
        log.SetBackends([backend]);

        log.RecordFailure(backend, "status 503, expected 200");
        backend.Health.ReportFailure();
        backend.Health.ReportFailure();

        Assert.EndsWith("is unhealthy: status 503, expected 200", logger.Collector.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetBackends_RemovedBackend_IsNoLongerLogged()
    {
        var kept = Backend(80);
        var removed = Backend(81);
        var logger = new FakeLogger();
        using var log = new HealthTransitionLogger(Listener, logger);
        log.SetBackends([kept, removed]);

        log.SetBackends([kept]);
        removed.OnConnectFailed();
        removed.OnConnectFailed();
        Assert.Equal(0, logger.Collector.Count);
        kept.OnConnectFailed();
        kept.OnConnectFailed();

        Assert.Equal(1, logger.Collector.Count);
        Assert.Contains("10.1.2.3:80", logger.Collector.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_StopsLogging()
    {
        var backend = Backend(80);
        var logger = new FakeLogger();
        var log = new HealthTransitionLogger(Listener, logger);
        log.SetBackends([backend]);

        log.Dispose();
        backend.OnConnectFailed();
        backend.OnConnectFailed();

        Assert.Equal(0, logger.Collector.Count);
    }
}
