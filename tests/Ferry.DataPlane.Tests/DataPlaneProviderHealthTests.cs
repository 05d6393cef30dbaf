using System.Net;
using System.Text;
using Ferry.Contracts;
using Ferry.DataPlane.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests;

public class DataPlaneProviderHealthTests
{
    [Fact]
    public async Task EnsureAsync_HealthCheck_MonitorGetsBackendsAndUnhealthyOnesGetNoTraffic()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var a = new TcpTestBackend(address, greeting: "a");
        await using var b = new TcpTestBackend(address, greeting: "b");
        var monitors = new RecordingHealthMonitorFactory();
        await using var harness = new DataPlaneHarness(healthMonitors: monitors);
        var port = Loopback.FreePort(address);
        var check = new HealthCheckSpec { UnhealthyThreshold = 2 };
        await harness.Provider.EnsureAsync(Spec(address, Tcp(port, a.EndPoint, b.EndPoint) with { HealthCheck = check }), timeout.Token);

        var monitor = Assert.Single(monitors.Monitors);
        Assert.Equal(check, monitor.Check);
        Assert.Equal($"{Key} {port}/TCP", monitor.ListenerName);
        Assert.Equal([a.EndPoint, b.EndPoint], monitor.Backends.Select(x => x.EndPoint));
        // New backends wait for their first probe; meanwhile the listener fails open (nothing is healthy yet).
        Assert.True(harness.Listener(TransportProtocol.Tcp, port).IsFailOpen);
        Assert.All(monitor.Backends, x => Assert.False(x.Health.IsChecked));
        monitor.Backends[1].Health.ReportSuccess();
        var backendA = monitor.Backends[0];
        backendA.Health.ReportFailure();
        backendA.Health.ReportFailure();

        for (var i = 0; i < 4; i++)
        {
            using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            Assert.Equal("b", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 1, timeout.Token)));
        }

        var stats = harness.Listener(TransportProtocol.Tcp, port);
        Assert.False(stats.Backends.Single(x => x.Spec.Port == a.EndPoint.Port).IsHealthy);
        Assert.False(stats.IsFailOpen);

        monitor.Backends[1].Health.ReportFailure();
        monitor.Backends[1].Health.ReportFailure();
        Assert.True(harness.Listener(TransportProtocol.Tcp, port).IsFailOpen);
        using var failOpen = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        Assert.Single(await Loopback.ReadExactlyAsync(failOpen, 1, timeout.Token));
    }

    [Fact]
    public async Task EnsureAsync_HealthCheckChanged_MonitorReplacedBackendStateKept()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        var monitors = new RecordingHealthMonitorFactory();
        await using var harness = new DataPlaneHarness(healthMonitors: monitors);
        var port = Loopback.FreePort(address);
        var backend = new IPEndPoint(address, 7);
        var spec = Spec(address, Tcp(port, backend) with { HealthCheck = new HealthCheckSpec() });
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        Assert.Single(monitors.Monitors);

        await harness.Provider.EnsureAsync(spec with { Listeners = [Tcp(port, backend) with { HealthCheck = new HealthCheckSpec { Interval = TimeSpan.FromSeconds(1) } }] }, timeout.Token);

        Assert.Equal(2, monitors.Monitors.Count);
        Assert.True(monitors.Monitors[0].IsDisposed);
        Assert.False(monitors.Monitors[1].IsDisposed);
        Assert.Same(monitors.Monitors[0].Backends[0], monitors.Monitors[1].Backends[0]);

        await harness.Provider.EnsureDeletedAsync(Key, timeout.Token);
        Assert.True(monitors.Monitors[1].IsDisposed);
    }

    [Fact]
    public async Task Connect_PassiveOnly_FailingBackendMarkedUnhealthyThenReadmitted()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var live = new TcpTestBackend(address, greeting: "live");
        var dead = new IPEndPoint(address, Loopback.DeadPort(address));
        await using var harness = new DataPlaneHarness(new DataPlaneOptions { PassiveReactivationPeriod = TimeSpan.FromSeconds(10) });
        var port = await harness.EnsureTcpAsync(address, [dead, live.EndPoint], timeout.Token);

        // Whatever the policy, the dead backend is picked now and then; each time the connect moves on.
        for (var i = 0; i < 60 && harness.Listener(TransportProtocol.Tcp, port).ConnectFailures < 3; i++)
        {
            using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            Assert.Equal("live", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 4, timeout.Token)));
        }

        BackendStatsFor(harness, port, dead, out var deadStats);
        Assert.False(deadStats.IsHealthy);
        Assert.Equal(3, deadStats.ConnectFailures);

        harness.Advance(TimeSpan.FromSeconds(12));

        BackendStatsFor(harness, port, dead, out deadStats);
        Assert.True(deadStats.IsHealthy);
    }

    [Fact]
    public async Task Connect_PassiveOnly_LogsBackendDownAndUpAgain()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var live = new TcpTestBackend(address, greeting: "live");
        var dead = new IPEndPoint(address, Loopback.DeadPort(address));
        var logs = new FakeLogCollector();
        using var loggers = new LoggerFactory([new FakeLoggerProvider(logs)]);
        await using var harness = new DataPlaneHarness(new DataPlaneOptions { PassiveReactivationPeriod = TimeSpan.FromSeconds(10) }, loggers: loggers);
        var port = await harness.EnsureTcpAsync(address, [dead, live.EndPoint], timeout.Token);

        for (var i = 0; i < 60 && harness.Listener(TransportProtocol.Tcp, port).ConnectFailures < 3; i++)
        {
            using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            Assert.Equal("live", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 4, timeout.Token)));
        }

        // Without an active check the transitions caused by failed connects are still logged.
        var down = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "BackendDown");
        Assert.Contains(dead.ToString(), down.Message, StringComparison.Ordinal);

        harness.Advance(TimeSpan.FromSeconds(12));
        Assert.True(await DataPlaneHarness.EventuallyAsync(() => logs.GetSnapshot().Any(r => r.Id.Name == "BackendUp")));
    }

    private static void BackendStatsFor(DataPlaneHarness harness, int port, IPEndPoint backend, out Stats.BackendStats stats) =>
        stats = harness.Listener(TransportProtocol.Tcp, port).Backends.Single(b => b.Spec.EndPoint.Equals(backend));
}
