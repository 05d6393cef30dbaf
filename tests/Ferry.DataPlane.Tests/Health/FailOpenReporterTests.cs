using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.State;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Ferry.DataPlane.Tests.Health;

public class FailOpenReporterTests
{
    private const string Listener = "default/web 80/TCP";

    private static BackendState Backend(int port) =>
        new(new BackendSpec(IPAddress.Loopback, port), new BackendHealth(healthyThreshold: 1, unhealthyThreshold: 1));

    [Fact]
    public void PoolLosesAllBackends_LogsAndCountsFailOpenOnce()
    {
        var a = Backend(9001);
        var b = Backend(9002);
        var pool = new BackendPool();
        pool.SetBackends([a, b]);
        var logger = new FakeLogger();
        var metrics = new HealthMetrics();
        using var failOpen = new MetricCollector<int>(metrics.Meter, "ferry.health.fail_open");
        using var reporter = new FailOpenReporter(pool, Listener, logger, metrics);

        a.Health.ReportFailure();
        Assert.False(reporter.IsFailOpen);
        b.Health.ReportFailure();
        a.Health.ReportFailure();

        Assert.True(reporter.IsFailOpen);
        var started = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal("FailOpenStarted", started.Id.Name);
        Assert.Equal(LogLevel.Warning, started.Level);
        Assert.Contains(Listener, started.Message, StringComparison.Ordinal);
        Assert.Contains("all 2 backends", started.Message, StringComparison.Ordinal);
        Assert.Equal(1, failOpen.GetMeasurementSnapshot().EvaluateAsCounter());

        b.Health.ReportSuccess();

        Assert.False(reporter.IsFailOpen);
        Assert.Equal("FailOpenEnded", logger.Collector.LatestRecord.Id.Name);
        Assert.Equal(0, failOpen.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public void PoolAlreadyFailingOpen_ReportsAtOnceAndDisposeClearsMetric()
    {
        var a = Backend(9001);
        var pool = new BackendPool();
        pool.SetBackends([a]);
        a.Health.ReportFailure();
        var logger = new FakeLogger();
        var metrics = new HealthMetrics();
        using var failOpen = new MetricCollector<int>(metrics.Meter, "ferry.health.fail_open");

        var reporter = new FailOpenReporter(pool, Listener, logger, metrics);
        Assert.True(reporter.IsFailOpen);
        Assert.Equal("FailOpenStarted", logger.Collector.LatestRecord.Id.Name);
        reporter.Dispose();
        a.Health.ReportSuccess();

        Assert.Equal(0, failOpen.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, logger.Collector.Count);
    }
}
