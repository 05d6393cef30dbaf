using System.Net;
using Ferry.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Standalone.Tests;

public sealed class StandaloneBalancerTests : IDisposable
{
    private static readonly TimeSpan _debounce = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan _waitLimit = TimeSpan.FromSeconds(15);

    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-standalone-").FullName;
    private readonly RecordingLoadBalancerProvider _provider = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger<StandaloneBalancer> _logger = new();
    private readonly string _path;
    private readonly StandaloneBalancer _balancer;

    public StandaloneBalancerTests()
    {
        _path = Path.Combine(_directory, "proxy.yaml");
        _balancer = new StandaloneBalancer(_path, _provider, _logger, _time, new StandaloneBalancerOptions { ReloadDebounce = _debounce });
    }

    public void Dispose()
    {
        _balancer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Config(params (string Name, string Address, int BackendPort)[] loadBalancers) =>
        "loadBalancers:\n" + string.Concat(loadBalancers.Select(lb => $"""
              - name: {lb.Name}
                addresses: [{lb.Address}]
                listeners:
                  - port: 8080
                    backends: [{"{"} address: 127.0.0.1, port: {lb.BackendPort} {"}"}]

            """));

    private Task WriteAsync(string content) => File.WriteAllTextAsync(_path, content, TestContext.Current.CancellationToken);

    private static int BackendPort(LoadBalancerSpec spec) => spec.Listeners[0].Backends[0].Port;

    [Fact]
    public async Task ReloadAsync_ValidFile_EnsuresEveryLoadBalancer()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001), ("api", "127.0.0.11", 9002)));

        var result = await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.Applied, result.Outcome);
        Assert.Equal(["ensure web", "ensure api"], _provider.Calls);
        Assert.Equal([IPAddress.Parse("127.0.0.10")], _provider.Running[LoadBalancerKey.Standalone("web")].Addresses);
        Assert.Equal(2, result.Ensured.Count);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Message.Contains("web: applied; 1 of 1 listener socket(s) serving", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReloadAsync_SameContentTwice_SecondIsUnchangedAndCallsNothing()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        var second = await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.Unchanged, second.Outcome);
        Assert.Equal(["ensure web"], _provider.Calls);
    }

    [Fact]
    public async Task ReloadAsync_OneLoadBalancerChanged_EnsuresOnlyThatOne()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001), ("api", "127.0.0.11", 9002)));
        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        await WriteAsync(Config(("web", "127.0.0.10", 9001), ("api", "127.0.0.11", 9003)));
        var result = await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.Applied, result.Outcome);
        Assert.Equal(["ensure web", "ensure api", "ensure api"], _provider.Calls);
        Assert.Equal(9003, BackendPort(_provider.Running[LoadBalancerKey.Standalone("api")]));
    }

    [Fact]
    public async Task ReloadAsync_Forced_ResendsUnchangedLoadBalancers()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        var result = await _balancer.ReloadAsync(force: true, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.Applied, result.Outcome);
        Assert.Equal(["ensure web", "ensure web"], _provider.Calls);
    }

    [Fact]
    public async Task ReloadAsync_LoadBalancerRemoved_DeletesItBeforeEnsuringTheRest()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001), ("api", "127.0.0.11", 9002)));
        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        await WriteAsync(Config(("api2", "127.0.0.11", 9002)));
        var result = await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Equal(["ensure web", "ensure api", "delete web", "delete api", "ensure api2"], _provider.Calls);
        Assert.Equal([LoadBalancerKey.Standalone("web"), LoadBalancerKey.Standalone("api")], result.Deleted);
        Assert.Equal([LoadBalancerKey.Standalone("api2")], _provider.Running.Keys);
    }

    [Theory]
    [InlineData("loadBalancers: [\n")]
    [InlineData("")]
    [InlineData("loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n    listeners: [{ port: 99999 }]\n")]
    public async Task ReloadAsync_BadFile_RejectsWithoutCallingTheProvider(string bad)
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);
        _logger.Collector.Clear();

        await WriteAsync(bad);
        var result = await _balancer.ReloadAsync(force: true, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.Rejected, result.Outcome);
        Assert.NotEmpty(result.Errors);
        Assert.Equal(["ensure web"], _provider.Calls);
        Assert.Equal(9001, BackendPort(_provider.Running[LoadBalancerKey.Standalone("web")]));
        var logged = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Error).Select(r => r.Message).ToList();
        Assert.Contains(logged, m => m.StartsWith(_path, StringComparison.Ordinal) && m.Contains(result.Errors[0].ToString(), StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains("the running config (1 load balancer(s)) is unchanged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReloadAsync_BadFileWithPosition_LogsFileLineAndColumn()
    {
        await WriteAsync("loadBalancers:\n  - name: web\n    addresses: [127.0.0.10]\n    listeners: [{ port: 0 }]\n");

        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Contains(
            _logger.Collector.GetSnapshot(),
            r => r.Message == $"{_path}:4:25: loadBalancers[0].listeners[0].port: must be between 1 and 65535");
    }

    [Fact]
    public async Task ReloadAsync_MissingFile_Rejected()
    {
        var result = await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.Rejected, result.Outcome);
        Assert.StartsWith("cannot read the file: ", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(_provider.Calls);
    }

    [Fact]
    public async Task ReloadAsync_ProviderRefusesOne_OthersStillApply()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001), ("bad", "127.0.0.11", 9002), ("api", "127.0.0.12", 9003)));
        _provider.Refuse.Add("bad");

        var result = await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.PartiallyApplied, result.Outcome);
        Assert.Equal([LoadBalancerKey.Standalone("bad")], result.Failed);
        Assert.Equal(["ensure web", "ensure bad", "ensure api"], _provider.Calls);
        Assert.Equal(2, _provider.Running.Count);
        Assert.Contains(
            _logger.Collector.GetSnapshot(),
            r => r.Level == LogLevel.Error && r.Message == "bad: refused by the data plane, previous state kept: listeners[0].port: refused by the test");
    }

    [Fact]
    public async Task ReloadAsync_ProviderThrows_LogsAndAppliesTheOthers()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001), ("api", "127.0.0.12", 9003)));
        _provider.Fail.Add("web");

        var result = await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.PartiallyApplied, result.Outcome);
        Assert.Equal([LoadBalancerKey.Standalone("api")], _provider.Running.Keys);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Exception is InvalidOperationException && r.Message.StartsWith("web: could not be applied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReloadAsync_RefusedThenFixed_IsEnsuredAgain()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        _provider.Refuse.Add("web");
        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);
        _provider.Refuse.Clear();

        await WriteAsync(Config(("web", "127.0.0.10", 9002)));
        var result = await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Equal(ReloadOutcome.Applied, result.Outcome);
        Assert.Equal(9002, BackendPort(_provider.Running[LoadBalancerKey.Standalone("web")]));
    }

    [Fact]
    public async Task ReloadAsync_ListenerNotBound_LogsWarningAndRetriesOnNextReload()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        _provider.UnboundPorts.Add(8080);

        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);
        await File.AppendAllTextAsync(_path, "# touched\n", TestContext.Current.CancellationToken);
        await _balancer.ReloadAsync(force: false, TestContext.Current.CancellationToken);

        Assert.Contains(
            _logger.Collector.GetSnapshot(),
            r => r.Level == LogLevel.Warning && r.Message == "web: 127.0.0.10:8080/TCP is not serving: address already in use");
        Assert.Equal(["ensure web", "ensure web"], _provider.Calls);
    }

    [Fact]
    public async Task RunAsync_InitialFileInvalid_Throws()
    {
        await WriteAsync("loadBalancers: nope\n");

        var e = await Assert.ThrowsAsync<StandaloneConfigException>(() => _balancer.RunAsync(TestContext.Current.CancellationToken));

        Assert.Equal("loadBalancers: must be a list", Assert.Single(e.Errors).ToString());
        Assert.Empty(_provider.Calls);
    }

    [Fact]
    public async Task RunAsync_FileRewritten_Reloads()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        await using var run = await StartAsync();

        await ReloadAfterAsync(() => WriteAsync(Config(("web", "127.0.0.10", 9005))), r => r.Outcome == ReloadOutcome.Applied);

        Assert.Equal(9005, BackendPort(_provider.Running[LoadBalancerKey.Standalone("web")]));
    }

    [Fact]
    public async Task RunAsync_FileReplacedByRename_Reloads()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        await using var run = await StartAsync();

        await ReloadAfterAsync(
            async () =>
            {
                // What vim, sed -i and most editors do: write a new file, rename it over the old one.
                var temporary = Path.Combine(_directory, ".proxy.yaml.swp");
                await File.WriteAllTextAsync(temporary, Config(("web", "127.0.0.10", 9001), ("api", "127.0.0.11", 9002)), TestContext.Current.CancellationToken);
                File.Move(temporary, _path, overwrite: true);
            },
            r => r.Outcome == ReloadOutcome.Applied);

        Assert.Equal(["ensure web", "ensure api"], _provider.Calls);
    }

    [Fact]
    public async Task RunAsync_ConfigMapStyleSymlinkSwap_Reloads()
    {
        // A Kubernetes ConfigMap volume: proxy.yaml -> ..data/proxy.yaml, ..data -> ..v1; an update
        // writes ..v2, points ..data_tmp at it and renames ..data_tmp over ..data.
        await WriteVersionAsync("..v1", Config(("web", "127.0.0.10", 9001)));
        File.CreateSymbolicLink(Path.Combine(_directory, "..data"), "..v1");
        File.CreateSymbolicLink(_path, Path.Combine("..data", "proxy.yaml"));
        await using var run = await StartAsync();

        await ReloadAfterAsync(
            async () =>
            {
                await WriteVersionAsync("..v2", Config(("web", "127.0.0.10", 9007)));
                File.CreateSymbolicLink(Path.Combine(_directory, "..data_tmp"), "..v2");
                // .NET cannot rename a directory symlink over another (kubelet does, atomically): delete, then rename.
                File.Delete(Path.Combine(_directory, "..data"));
                Directory.Move(Path.Combine(_directory, "..data_tmp"), Path.Combine(_directory, "..data"));
            },
            r => r.Outcome == ReloadOutcome.Applied);

        Assert.Equal(9007, BackendPort(_provider.Running[LoadBalancerKey.Standalone("web")]));
    }

    private async Task WriteVersionAsync(string version, string content)
    {
        Directory.CreateDirectory(Path.Combine(_directory, version));
        await File.WriteAllTextAsync(Path.Combine(_directory, version, "proxy.yaml"), content, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RunAsync_LoadBalancerRemovedFromFile_DeletesIt()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001), ("api", "127.0.0.11", 9002)));
        await using var run = await StartAsync();

        await ReloadAfterAsync(() => WriteAsync(Config(("web", "127.0.0.10", 9001))), r => r.Deleted.Count > 0);

        Assert.Equal(["ensure web", "ensure api", "delete api"], _provider.Calls);
    }

    [Fact]
    public async Task RunAsync_BadFileWritten_KeepsOldConfigAndThenAppliesTheFix()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        await using var run = await StartAsync();

        await ReloadAfterAsync(() => WriteAsync("loadBalancers:\n  - name: web\n    addresses: [nowhere]\n"), r => r.Outcome == ReloadOutcome.Rejected);
        Assert.Equal(["ensure web"], _provider.Calls);

        await ReloadAfterAsync(() => WriteAsync(Config(("web", "127.0.0.10", 9009))), r => r.Outcome == ReloadOutcome.Applied);
        Assert.Equal(9009, BackendPort(_provider.Running[LoadBalancerKey.Standalone("web")]));
    }

    [Fact]
    public async Task RunAsync_FileDeletedThenRecreated_KeepsRunningThenApplies()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        await using var run = await StartAsync();

        await ReloadAfterAsync(() => { File.Delete(_path); return Task.CompletedTask; }, r => r.Outcome == ReloadOutcome.Rejected);
        Assert.Equal(["ensure web"], _provider.Calls);

        await ReloadAfterAsync(() => WriteAsync(Config(("web", "127.0.0.10", 9001))), r => r.Outcome != ReloadOutcome.Rejected);
        Assert.True(_provider.Running.ContainsKey(LoadBalancerKey.Standalone("web")));
    }

    [Fact]
    public async Task RequestReload_UnchangedFile_ResendsEveryLoadBalancer()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        await using var run = await StartAsync();

        await ReloadAfterAsync(() => { _balancer.RequestReload(); return Task.CompletedTask; }, r => r.Outcome == ReloadOutcome.Applied);

        Assert.Equal(["ensure web", "ensure web"], _provider.Calls);
    }

    [Fact]
    public async Task RunAsync_WatchingDisabled_IgnoresFileChanges()
    {
        await WriteAsync(Config(("web", "127.0.0.10", 9001)));
        using var balancer = new StandaloneBalancer(_path, _provider, _logger, _time, new StandaloneBalancerOptions { WatchFile = false, ReloadDebounce = _debounce });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var reloads = 0;
        balancer.Reloaded += (_, _) => Interlocked.Increment(ref reloads);
        var run = balancer.RunAsync(cts.Token);
        await WaitUntilAsync(() => Volatile.Read(ref reloads) == 1);

        await WriteAsync(Config(("web", "127.0.0.10", 9002)));
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(_debounce);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, Volatile.Read(ref reloads));
        await cts.CancelAsync();
        await run;
    }

    /// <summary>Starts <see cref="StandaloneBalancer.RunAsync"/> and waits until its first load is applied.</summary>
    private async Task<RunningBalancer> StartAsync()
    {
        var first = new TaskCompletionSource<ReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFirst(object? sender, ReloadResult result) => first.TrySetResult(result);
        _balancer.Reloaded += OnFirst;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = _balancer.RunAsync(cts.Token);
        var result = await first.Task.WaitAsync(_waitLimit, TestContext.Current.CancellationToken);
        _balancer.Reloaded -= OnFirst;
        Assert.Equal(ReloadOutcome.Applied, result.Outcome);
        return new RunningBalancer(run, cts);
    }

    /// <summary>
    /// Does <paramref name="change"/> and waits (bounded) for a reload matching <paramref name="expected"/>,
    /// moving fake time past the debounce while it waits; the file events themselves come in real time.
    /// </summary>
    private async Task<ReloadResult> ReloadAfterAsync(Func<Task> change, Func<ReloadResult, bool> expected)
    {
        var seen = new TaskCompletionSource<ReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(object? sender, ReloadResult result)
        {
            if (expected(result))
            {
                seen.TrySetResult(result);
            }
        }

        _balancer.Reloaded += OnReloaded;
        try
        {
            await change();
            await WaitUntilAsync(() => seen.Task.IsCompleted);
            return await seen.Task;
        }
        finally
        {
            _balancer.Reloaded -= OnReloaded;
        }
    }

    private async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + _waitLimit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for a reload");
            _time.Advance(_debounce);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private sealed class RunningBalancer(Task run, CancellationTokenSource cts) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await cts.CancelAsync();
            await run.WaitAsync(_waitLimit);
            cts.Dispose();
        }
    }
}
