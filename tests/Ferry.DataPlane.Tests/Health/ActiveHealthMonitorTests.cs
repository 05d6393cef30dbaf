using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Health;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.DataPlane.Tests.Health;

public sealed class ActiveHealthMonitorTests : IAsyncDisposable
{
    private const string Listener = "default/web 80/TCP";
    private static readonly TimeSpan _interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan _maxWait = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private readonly List<IAsyncDisposable> _disposables = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }
    }

    private static HealthCheckSpec Check(HealthCheckType type = HealthCheckType.Tcp, int healthy = 2, int unhealthy = 3) => new()
    {
        Type = type,
        Interval = _interval,
        Timeout = _timeout,
        HealthyThreshold = healthy,
        UnhealthyThreshold = unhealthy,
    };

    private ActiveHealthMonitor Monitor(HealthCheckSpec check)
    {
        IHealthProbe probe = check.Type == HealthCheckType.Http ? new HttpHealthProbe(check) : new TcpHealthProbe(check);
        var monitor = new ActiveHealthMonitor(check, Listener, probe, _time, _logger);
        _disposables.Add(monitor);
        return monitor;
    }

    private T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>Advances fake time by one interval and waits (real time, bounded) for the round it starts to report.</summary>
    private async Task RunRoundAsync(ActiveHealthMonitor monitor)
    {
        var round = StartRoundAsync(monitor);
        await round.WaitAsync(_maxWait, TestContext.Current.CancellationToken);
    }

    private Task StartRoundAsync(ActiveHealthMonitor monitor)
    {
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRound()
        {
            monitor.RoundCompleted -= OnRound;
            completed.TrySetResult();
        }

        monitor.RoundCompleted += OnRound;
        _time.Advance(_interval);
        return completed.Task;
    }

    [Fact]
    public async Task Tcp_BackendKilled_DownWithinIntervalTimesThresholdAndGetsNoNewConnections()
    {
        var check = Check(unhealthy: 3);
        var server = Track(LoopbackServer.AcceptAndClose());
        var other = Track(LoopbackServer.AcceptAndClose());
        var dying = ProbeTests.BackendAt(server.EndPoint, check);
        var healthy = ProbeTests.BackendAt(other.EndPoint, check);
        var pool = new BackendPool();
        pool.SetBackends([dying, healthy]);
        var monitor = Monitor(check);
        monitor.SetBackends([dying, healthy]);
        await RunRoundAsync(monitor);
        Assert.True(dying.IsHealthy);
        Assert.True(server.AcceptedCount >= 1);

        await server.StopAsync();
        var killedAt = _time.GetUtcNow();
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        dying.Health.Changed += (_, isHealthy) => down.TrySetResult();
        for (var round = 0; round < check.UnhealthyThreshold && dying.IsHealthy; round++)
        {
            await RunRoundAsync(monitor);
        }

        await down.Task.WaitAsync(_maxWait, TestContext.Current.CancellationToken);
        Assert.False(dying.IsHealthy);
        Assert.True(healthy.IsHealthy);
        Assert.True(_time.GetUtcNow() - killedAt <= _interval * check.UnhealthyThreshold);

        var policy = new RoundRobinPolicy();
        for (var i = 0; i < 100; i++)
        {
            Assert.Same(healthy, policy.Pick(pool.Snapshot, System.Net.IPAddress.Loopback));
        }

        var log = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "BackendDown");
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Contains(Listener, log.Message, StringComparison.Ordinal);
        Assert.Contains(server.EndPoint.ToString(), log.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_BackendReturns_UpAfterHealthyThreshold()
    {
        var check = Check(healthy: 2, unhealthy: 1);
        var endPoint = await ProbeTests.ClosedEndPointAsync();
        var backend = ProbeTests.BackendAt(endPoint, check);
        var monitor = Monitor(check);
        monitor.SetBackends([backend]);
        await RunRoundAsync(monitor);
        Assert.False(backend.IsHealthy);

        Track(LoopbackServer.AcceptAndClose(endPoint));
        await RunRoundAsync(monitor);
        Assert.False(backend.IsHealthy);
        await RunRoundAsync(monitor);

        Assert.True(backend.IsHealthy);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Name == "BackendUp" && r.Message.Contains(Listener, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http_KubeProxyHealthz_FollowsLocalEndpoints()
    {
        var check = Check(HealthCheckType.Http, healthy: 1, unhealthy: 2);
        var localEndpoints = 1;
        var server = Track(LoopbackServer.KubeProxyHealthz(() => Volatile.Read(ref localEndpoints)));
        var node = new BackendState(new BackendSpec(server.EndPoint.Address, 31234, Name: "node-a"), BackendHealth.For(check));
        var monitor = Monitor(check with { Port = server.EndPoint.Port });
        monitor.SetBackends([node]);

        await RunRoundAsync(monitor);
        Assert.True(node.IsHealthy);

        Volatile.Write(ref localEndpoints, 0); // the node's last local endpoint went away: 503
        await RunRoundAsync(monitor);
        Assert.True(node.IsHealthy);
        await RunRoundAsync(monitor);
        Assert.False(node.IsHealthy);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Name == "BackendDown" && r.Message.Contains("status 503", StringComparison.Ordinal) && r.Message.Contains("node-a", StringComparison.Ordinal));

        Volatile.Write(ref localEndpoints, 3);
        await RunRoundAsync(monitor);
        Assert.True(node.IsHealthy);
    }

    [Fact]
    public async Task Http_BackendNeverAnswers_FailsAfterTimeout()
    {
        var check = Check(HealthCheckType.Http, unhealthy: 1);
        var server = Track(LoopbackServer.Silent());
        var backend = ProbeTests.BackendAt(server.EndPoint, check);
        var monitor = Monitor(check);
        monitor.SetBackends([backend]);

        var round = StartRoundAsync(monitor);
        await server.WaitForAcceptedAsync(1); // the probe is connected and waits for an answer
        Assert.False(round.IsCompleted);
        Assert.True(backend.IsHealthy);
        _time.Advance(_timeout);
        await round.WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.False(backend.IsHealthy);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Name == "BackendDown" && r.Message.Contains("no answer within 2 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SetBackends_RemovedBackend_IsNoLongerProbed()
    {
        var check = Check();
        var kept = Track(LoopbackServer.AcceptAndClose());
        var removed = Track(LoopbackServer.AcceptAndClose());
        var keptBackend = ProbeTests.BackendAt(kept.EndPoint, check);
        var monitor = Monitor(check);
        monitor.SetBackends([keptBackend, ProbeTests.BackendAt(removed.EndPoint, check)]);
        await RunRoundAsync(monitor);
        await removed.WaitForAcceptedAsync(1);
        keptBackend.Health.ReportFailure(); // state a kept backend must keep

        monitor.SetBackends([keptBackend]);
        await RunRoundAsync(monitor);
        await RunRoundAsync(monitor);

        await kept.WaitForAcceptedAsync(3);
        Assert.Equal(1, removed.AcceptedCount);
        Assert.True(keptBackend.IsHealthy);
    }

    [Fact]
    public async Task SetBackends_NewBackend_StartsHealthyAndIsProbed()
    {
        var check = Check(unhealthy: 1);
        var monitor = Monitor(check);
        monitor.SetBackends([]);
        await RunRoundAsync(monitor);

        var endPoint = await ProbeTests.ClosedEndPointAsync();
        var added = ProbeTests.BackendAt(endPoint, check);
        monitor.SetBackends([added]);
        Assert.True(added.IsHealthy);
        await RunRoundAsync(monitor);

        Assert.False(added.IsHealthy);
    }

    [Fact]
    public async Task SetBackends_UncheckedBackend_ProbedAtOnceWithoutARound()
    {
        var check = Check(healthy: 3);
        var server = Track(LoopbackServer.AcceptAndClose());
        var monitor = Monitor(check);
        var added = new BackendState(new BackendSpec(server.EndPoint.Address, server.EndPoint.Port), BackendHealth.Unchecked(check));
        var admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        added.Health.Changed += (_, isHealthy) => admitted.TrySetResult();

        monitor.SetBackends([added]);

        // No fake time passes: only the immediate probe can have admitted it, on its first success.
        await admitted.Task.WaitAsync(_maxWait, TestContext.Current.CancellationToken);
        Assert.True(added.IsHealthy);
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task SetBackends_UncheckedBackendNotAnswering_StaysOutAndIsLogged()
    {
        var check = Check();
        var monitor = Monitor(check);
        var closed = await ProbeTests.ClosedEndPointAsync();
        var added = new BackendState(new BackendSpec(closed.Address, closed.Port), BackendHealth.Unchecked(check));
        var checkedOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        added.Health.Changed += (_, _) => checkedOut.TrySetResult();

        monitor.SetBackends([added]);

        await checkedOut.Task.WaitAsync(_maxWait, TestContext.Current.CancellationToken);
        Assert.False(added.IsHealthy);
        Assert.True(added.Health.IsChecked);

        // The transition is logged by another handler of the same change, which may run after this test's: wait, bounded.
        static bool Logged(Microsoft.Extensions.Logging.Testing.FakeLogRecord r) => r.Id.Name == "BackendDown" && r.Message.Contains("ConnectionRefused", StringComparison.Ordinal);
        var deadline = DateTime.UtcNow + _maxWait;
        while (!_logger.Collector.GetSnapshot().Any(Logged) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Contains(_logger.Collector.GetSnapshot(), Logged);
    }

    [Fact]
    public async Task DisposeAsync_StopsProbing()
    {
        var check = Check();
        var server = Track(LoopbackServer.AcceptAndClose());
        var monitor = Monitor(check);
        monitor.SetBackends([ProbeTests.BackendAt(server.EndPoint, check)]);
        await RunRoundAsync(monitor);
        await server.WaitForAcceptedAsync(1);

        await monitor.DisposeAsync().AsTask().WaitAsync(_maxWait, TestContext.Current.CancellationToken);
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(_interval);
        }

        // A probe started by a stray tick would connect within milliseconds; give it a moment to show up.
        await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForAcceptedAsync(2, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task PassiveFailures_FlipHealthAndAreLogged()
    {
        var check = Check(unhealthy: 2);
        var backend = ProbeTests.BackendAt(new System.Net.IPEndPoint(LoopbackServer.RandomLoopbackAddress(), 8080), check);
        var monitor = Monitor(check);
        monitor.SetBackends([backend]);

        backend.OnConnectFailed();
        backend.OnConnectFailed();

        Assert.False(backend.IsHealthy);
        var log = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "BackendDown");
        Assert.Contains("failed connects", log.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Factory_CreatesMonitorForEachCheckType()
    {
        var factory = new ActiveHealthMonitorFactory(NullLoggerFactory.Instance, _time);

        await using var tcp = factory.Create(Check(HealthCheckType.Tcp), Listener);
        await using var http = factory.Create(Check(HealthCheckType.Http), Listener);

        Assert.IsType<ActiveHealthMonitor>(tcp);
        Assert.IsType<ActiveHealthMonitor>(http);
    }
}
