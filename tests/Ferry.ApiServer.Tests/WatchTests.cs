using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.ApiServer.Tests;

/// <summary>Watch semantics through KubernetesClient: initial state, resume, 410 Expired, bookmarks, timeouts.</summary>
public class WatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1ConfigMap ConfigMap(string name, string app = "x") =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } } };

    [Fact]
    public async Task Watch_FromZero_SendsAddedForExistingThenLiveChanges()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("before"), "default", cancellationToken: Ct);
        var seen = new List<(WatchEventType, string)>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(15));
        var watching = Task.Run(
            async () =>
            {
                await foreach (var (type, cm) in server.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: "0", timeoutSeconds: 10, cancellationToken: cts.Token))
                {
                    seen.Add((type, cm.Metadata.Name));
                    if (type == WatchEventType.Deleted)
                    {
                        break;
                    }
                }
            },
            cts.Token);

        await Task.Delay(300, Ct);
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after"), "default", cancellationToken: Ct);
        await server.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"b"}}""", V1Patch.PatchType.MergePatch), "after", "default", cancellationToken: Ct);
        await server.Client.CoreV1.DeleteNamespacedConfigMapAsync("after", "default", cancellationToken: Ct);
        await watching;
        Assert.Equal(
            [(WatchEventType.Added, "before"), (WatchEventType.Added, "after"), (WatchEventType.Modified, "after"), (WatchEventType.Deleted, "after")],
            seen);
    }

    [Fact]
    public async Task Watch_FromListVersion_ResumesWithOnlyLaterChanges()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one"), "default", cancellationToken: Ct);
        var list = await server.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("two"), "default", cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("three"), "default", cancellationToken: Ct);

        var seen = new List<string>();
        await foreach (var (type, cm) in server.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 1, cancellationToken: Ct))
        {
            Assert.Equal(WatchEventType.Added, type);
            seen.Add(cm.Metadata.Name);
        }

        Assert.Equal(["two", "three"], seen);
    }

    [Fact]
    public async Task Watch_TooOldVersion_GetsExpiredErrorEvent()
    {
        await using var server = await TestApiServer.StartAsync(configure: o => new ApiServerOptions { DataDirectory = o.DataDirectory, Listen = o.Listen, WatchHistorySize = 3 });
        var first = await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c0"), "default", cancellationToken: Ct);
        for (var i = 1; i < 8; i++)
        {
            await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c" + i.ToString(CultureInfo.InvariantCulture)), "default", cancellationToken: Ct);
        }

        Exception? error = null;
        var events = 0;
        await foreach (var _ in server.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: first.Metadata.ResourceVersion, timeoutSeconds: 5, onError: e => error = e, cancellationToken: Ct))
        {
            events++;
        }

        Assert.Equal(0, events);
        var k8sError = Assert.IsType<KubernetesException>(error);
        Assert.Equal(410, k8sError.Status.Code);
        Assert.Equal("Expired", k8sError.Status.Reason);
        Assert.StartsWith("too old resource version: " + first.Metadata.ResourceVersion, k8sError.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_AllowBookmarks_SendsBookmarkWithCurrentVersion()
    {
        await using var server = await TestApiServer.StartAsync(configure: o => new ApiServerOptions { DataDirectory = o.DataDirectory, Listen = o.Listen, BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        var created = await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), "default", cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "other" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 1 }] } }, "default", cancellationToken: Ct);
        var current = (await server.Client.CoreV1.ListNamespacedServiceAsync("default", cancellationToken: Ct)).Metadata.ResourceVersion;
        string? bookmark = null;
        await foreach (var (type, cm) in server.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true, resourceVersion: created.Metadata.ResourceVersion, timeoutSeconds: 3, cancellationToken: Ct))
        {
            if (type == WatchEventType.Bookmark)
            {
                bookmark = cm.Metadata.ResourceVersion;
                break;
            }
        }

        Assert.Equal(current, bookmark);
    }

    [Fact]
    public async Task Watch_LabelSelector_TurnsTransitionsIntoAddedAndDeleted()
    {
        await using var server = await TestApiServer.StartAsync();
        var created = await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("m", app: "other"), "default", cancellationToken: Ct);
        await server.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"web"}}}""", V1Patch.PatchType.MergePatch), "m", "default", cancellationToken: Ct);
        await server.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"gone"}}}""", V1Patch.PatchType.MergePatch), "m", "default", cancellationToken: Ct);
        var seen = new List<WatchEventType>();
        await foreach (var (type, _) in server.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", labelSelector: "app=web", resourceVersion: created.Metadata.ResourceVersion, timeoutSeconds: 1, cancellationToken: Ct))
        {
            seen.Add(type);
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], seen);
    }

    [Fact]
    public async Task Watch_TimeoutSeconds_EndsTheStream()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("present"), "default", cancellationToken: Ct);
        var started = DateTime.UtcNow;
        var events = 0;
        await foreach (var _ in server.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", timeoutSeconds: 1, cancellationToken: Ct))
        {
            events++;
        }

        Assert.Equal(1, events);

        var elapsed = DateTime.UtcNow - started;
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Watch_OtherResourcesWrites_AreNotDelivered()
    {
        await using var server = await TestApiServer.StartAsync();
        var list = await server.Client.CoreV1.ListNamespacedServiceAsync("default", cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("noise"), "default", cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "elsewhere" } }, cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "far" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 1 }] } }, "elsewhere", cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "near" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 1 }] } }, "default", cancellationToken: Ct);
        var seen = new List<string>();
        await foreach (var (_, svc) in server.Client.CoreV1.WatchListNamespacedServiceAsync("default", resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 1, cancellationToken: Ct))
        {
            seen.Add(svc.Metadata.Name);
        }

        Assert.Equal(["near"], seen);
    }

    [Fact]
    public async Task Watch_ConcurrentWriters_SeesEveryCreateOnceInVersionOrder()
    {
        await using var server = await TestApiServer.StartAsync();
        var list = await server.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        const int Writers = 8;
        const int PerWriter = 25;
        var received = new List<(string Name, long Version)>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        var watching = Task.Run(
            async () =>
            {
                await foreach (var (type, cm) in server.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 50, cancellationToken: cts.Token))
                {
                    Assert.Equal(WatchEventType.Added, type);
                    received.Add((cm.Metadata.Name, long.Parse(cm.Metadata.ResourceVersion, CultureInfo.InvariantCulture)));
                    if (received.Count == Writers * PerWriter)
                    {
                        break;
                    }
                }
            },
            cts.Token);

        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(
            async () =>
            {
                using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Handle.KubeconfigPath));
                for (var i = 0; i < PerWriter; i++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"w{w}-{i}");
                    var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name), "default", cancellationToken: cts.Token);
                    acknowledged[name] = long.Parse(created.Metadata.ResourceVersion, CultureInfo.InvariantCulture);
                }
            },
            cts.Token)));
        await watching;

        Assert.Equal(Writers * PerWriter, received.Select(r => r.Name).Distinct().Count());
        Assert.Equal(received.Select(r => r.Version).Order(), received.Select(r => r.Version));
        foreach (var (name, version) in received)
        {
            Assert.Equal(acknowledged[name], version);
        }

        var versions = acknowledged.Values.Order().ToList();
        Assert.Equal(versions.Count, versions.Distinct().Count());
    }

    [Fact]
    public async Task Watch_DeadlineOnInjectedClock_EndsStreamCleanlyAtTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestApiServer.StartAsync(timeProvider: time);
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one"), "default", cancellationToken: Ct);
        using var http = server.RawClient();
        http.Timeout = TimeSpan.FromSeconds(15);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=30&allowWatchBookmarks=true&sendInitialEvents=true", UriKind.Relative));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var reading = response.Content.ReadAsStringAsync(Ct);

        // Real time does not end the watch; only the server's clock does.
        await Task.Delay(300, Ct);
        Assert.False(reading.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(31));
        var text = await reading.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"ADDED\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("k8s.io/initial-events-end", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_TimeoutBeyondTimerRange_StreamsInsteadOf500()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=31536000", UriKind.Relative));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
