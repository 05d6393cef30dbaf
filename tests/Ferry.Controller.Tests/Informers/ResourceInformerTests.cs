using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Ferry.Controller.Informers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Controller.Tests.Informers;

/// <summary>
/// The informer's algorithm against a scripted source (the seam it has for this); its behaviour
/// against the real API server is tested end to end elsewhere.
/// </summary>
public class ResourceInformerTests
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(5);

    private sealed class ScriptedSource
    {
        public List<V1Node> ListItems { get; set; } = [];

        public string ListVersion { get; set; } = "10";

        public List<string> WatchedFrom { get; } = [];

        public List<int> WatchTimeouts { get; } = [];

        public Channel<object> Current { get; private set; } = Channel.CreateUnbounded<object>();

        public int Lists { get; private set; }

        public ResourceSource<V1Node> Source => new("nodes", ListAsync, WatchAsync);

        private Task<ResourceList<V1Node>> ListAsync(CancellationToken ct)
        {
            Lists++;
            return Task.FromResult(new ResourceList<V1Node>([.. ListItems], ListVersion));
        }

        private async IAsyncEnumerable<(WatchEventType, V1Node)> WatchAsync(string rv, int timeout, Action<Exception> onError, [EnumeratorCancellation] CancellationToken ct)
        {
            lock (WatchedFrom)
            {
                WatchTimeouts.Add(timeout);
                WatchedFrom.Add(rv);
            }

            var channel = Current;
            await foreach (var item in channel.Reader.ReadAllAsync(ct))
            {
                if (item is Exception error)
                {
                    onError(error);
                    yield break;
                }

                yield return ((WatchEventType, V1Node))item;
            }
        }

        /// <summary>Ends the current watch stream (as a server timeout does) and prepares the next.</summary>
        public void EndWatch()
        {
            var old = Current;
            Current = Channel.CreateUnbounded<object>();
            old.Writer.TryComplete();
        }
    }

    /// <summary>Always the same jitter; records the bounds it was asked for.</summary>
    private sealed class FixedRandomSource(int value) : IRandomSource
    {
        public List<int> Bounds { get; } = [];

        public int Below(int maxExclusive)
        {
            lock (Bounds)
            {
                Bounds.Add(maxExclusive);
            }

            return value;
        }
    }

    private static V1Node Node(string name, string rv) => new() { Metadata = new V1ObjectMeta { Name = name, ResourceVersion = rv } };

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + _wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Run_ListThenWatch_CacheAndEventsFollow()
    {
        var script = new ScriptedSource { ListItems = [Node("a", "5")] };
        var informer = new ResourceInformer<V1Node>(script.Source, new InformerOptions(), new FakeTimeProvider(), SharedRandomSource.Instance, NullLogger.Instance);
        var seen = new List<string>();
        informer.OnChange(e => { lock (seen) { seen.Add($"{e.Type} {e.Current.Metadata.Name}"); } });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = informer.RunAsync(cts.Token);

        await informer.WaitForSyncAsync(cts.Token).WaitAsync(_wait, cts.Token);
        script.Current.Writer.TryWrite((WatchEventType.Added, Node("b", "11")));
        script.Current.Writer.TryWrite((WatchEventType.Modified, Node("a", "12")));
        script.Current.Writer.TryWrite((WatchEventType.Deleted, Node("b", "13")));
        await UntilAsync(() => seen.Count == 4);

        Assert.Equal(["Added a", "Added b", "Updated a", "Deleted b"], seen);
        Assert.Equal(["a"], informer.List().Select(n => n.Metadata.Name));
        Assert.Equal(["10"], script.WatchedFrom);
        await cts.CancelAsync();
        await run.WaitAsync(_wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Subscribe_WhileRunning_SeesLaterChangesOnly_AndNothingAfterDisposal()
    {
        var script = new ScriptedSource { ListItems = [Node("a", "5")] };
        var informer = new ResourceInformer<V1Node>(script.Source, new InformerOptions(), new FakeTimeProvider(), SharedRandomSource.Instance, NullLogger.Instance);
        var lifetime = new List<string>();
        informer.OnChange(e => { lock (lifetime) { lifetime.Add($"{e.Type} {e.Current.Metadata.Name}"); } });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(cts.Token).WaitAsync(_wait, cts.Token);

        // A term's controller joins the running informer, then leaves.
        var term = new List<string>();
        var subscription = informer.Subscribe(e => { lock (term) { term.Add($"{e.Type} {e.Current.Metadata.Name}"); } });
        script.Current.Writer.TryWrite((WatchEventType.Added, Node("b", "11")));
        await UntilAsync(() => { lock (term) { return term.Count == 1; } });
        subscription.Dispose();
        subscription.Dispose(); // twice is harmless
        script.Current.Writer.TryWrite((WatchEventType.Added, Node("c", "12")));
        await UntilAsync(() => { lock (lifetime) { return lifetime.Count == 3; } });

        Assert.Equal(["Added b"], term);
        Assert.Equal(["Added a", "Added b", "Added c"], lifetime);
        Assert.Equal(1, script.Lists);
        await cts.CancelAsync();
        await run.WaitAsync(_wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Run_WatchEnds_ResumesFromLastResourceVersionWithoutRelist()
    {
        var script = new ScriptedSource();
        var informer = new ResourceInformer<V1Node>(script.Source, new InformerOptions(), new FakeTimeProvider(), SharedRandomSource.Instance, NullLogger.Instance);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(cts.Token).WaitAsync(_wait, cts.Token);

        script.Current.Writer.TryWrite((WatchEventType.Added, Node("a", "20")));
        script.Current.Writer.TryWrite((WatchEventType.Bookmark, Node(string.Empty, "25")));
        await UntilAsync(() => informer.Get("a") is not null);
        script.EndWatch();
        await UntilAsync(() => script.WatchedFrom.Count == 2);

        Assert.Equal(["10", "25"], script.WatchedFrom);
        Assert.Equal(1, script.Lists);
        await cts.CancelAsync();
        await run.WaitAsync(_wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Run_Expired410_RelistsAndReportsDeletionsMissed()
    {
        var script = new ScriptedSource { ListItems = [Node("a", "5"), Node("b", "6")] };
        var informer = new ResourceInformer<V1Node>(script.Source, new InformerOptions(), new FakeTimeProvider(), SharedRandomSource.Instance, NullLogger.Instance);
        var deleted = new List<string>();
        informer.OnChange(e => { if (e.Type == InformerEventType.Deleted) { lock (deleted) { deleted.Add(e.Current.Metadata.Name); } } });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(cts.Token).WaitAsync(_wait, cts.Token);

        // While the watch was away, b was deleted; the server says the version is too old.
        script.ListItems = [Node("a", "5")];
        script.ListVersion = "40";
        script.EndWatch();
        script.Current.Writer.TryWrite(new KubernetesException(new V1Status { Code = 410, Reason = "Expired" }));

        await UntilAsync(() => script.Lists == 2 && script.WatchedFrom.Contains("40"));
        Assert.Equal(["b"], deleted);
        Assert.Equal(2, informer.ListCount);
        await cts.CancelAsync();
        await run.WaitAsync(_wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Run_SilentWatch_WatchdogRestartsIt()
    {
        var time = new FakeTimeProvider();
        var script = new ScriptedSource();
        var options = new InformerOptions { MinWatchTimeout = TimeSpan.FromSeconds(10), WatchdogGrace = TimeSpan.FromSeconds(5) };
        var informer = new ResourceInformer<V1Node>(script.Source, options, time, SharedRandomSource.Instance, NullLogger.Instance);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = informer.RunAsync(cts.Token);
        await UntilAsync(() => script.WatchedFrom.Count == 1);

        // Timeout is at most 2 × 10 s, plus 5 s grace: nothing arrives for 26 s.
        time.Advance(TimeSpan.FromSeconds(26));
        await UntilAsync(() => script.WatchedFrom.Count == 2);

        Assert.Equal(1, script.Lists);
        Assert.Equal(2, informer.WatchCount);
        await cts.CancelAsync();
        await run.WaitAsync(_wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Run_WatchTimeout_IsTheMinimumPlusTheInjectedJitter()
    {
        var time = new FakeTimeProvider();
        var script = new ScriptedSource();
        var random = new FixedRandomSource(3);
        var options = new InformerOptions { MinWatchTimeout = TimeSpan.FromSeconds(10), WatchdogGrace = TimeSpan.FromSeconds(5) };
        var informer = new ResourceInformer<V1Node>(script.Source, options, time, random, NullLogger.Instance);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = informer.RunAsync(cts.Token);
        await UntilAsync(() => script.WatchedFrom.Count == 1);

        Assert.Equal([13], script.WatchTimeouts);
        Assert.Equal([10], random.Bounds);

        // The watchdog allows that timeout plus the grace: 18 s, not a second less.
        time.Advance(TimeSpan.FromSeconds(17));
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Single(script.WatchedFrom);
        time.Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => script.WatchedFrom.Count == 2);

        Assert.Equal([13, 13], script.WatchTimeouts);
        await cts.CancelAsync();
        await run.WaitAsync(_wait, TestContext.Current.CancellationToken);
    }
}
