using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ferry.ApiServer;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: dotnet run -c Release --project bench/api [-- services=5000 watchers=100]
// Prints a Markdown table comparable with docs/performance-notes.md (kube-apiserver 1.28.7 + etcd on the same machines).
var settings = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
var total = settings.GetValueOrDefault("services", 5000);
var watcherCount = settings.GetValueOrDefault("watchers", 100);
var dir = Path.Combine(Path.GetTempPath(), "ferry-api-bench-" + Guid.NewGuid().ToString("N"));
try
{
    await using var server = await ApiServerHost.StartAsync(
        new ApiServerOptions { DataDirectory = dir, Listen = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance, CancellationToken.None);
    var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath);
    using var client = new Kubernetes(config);
    await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench" } });

    static V1Service Service(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["bench"] = "yes" } },
        Spec = new V1ServiceSpec { Type = "LoadBalancer", AllocateLoadBalancerNodePorts = false, Ports = [new V1ServicePort { Port = 80, TargetPort = 8080 }] },
    };

    // 1. Sequential creates, one client.
    var sequential = Math.Min(1000, total / 2);
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < sequential; i++)
    {
        await client.CoreV1.CreateNamespacedServiceAsync(Service("s" + i.ToString(CultureInfo.InvariantCulture)), "bench");
    }

    var sequentialRate = sequential / sw.Elapsed.TotalSeconds;

    // 2. Concurrent creates, 8 clients.
    var clients = Enumerable.Range(0, 8).Select(_ => new Kubernetes(config)).ToArray();
    var remaining = total - sequential;
    var next = sequential - 1;
    sw.Restart();
    await Task.WhenAll(clients.Select(c => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < total)
        {
            await c.CoreV1.CreateNamespacedServiceAsync(Service("s" + i.ToString(CultureInfo.InvariantCulture)), "bench");
        }
    })));
    var concurrentRate = remaining / sw.Elapsed.TotalSeconds;

    // 3. Full list latency (median of 10): the whole JSON response read over HTTPS, as a Go client would.
    using var listHandler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
    using var listHttp = new HttpClient(listHandler) { BaseAddress = server.Url };
    listHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.Token);
    var listTimes = new List<double>();
    for (var i = 0; i < 11; i++)
    {
        sw.Restart();
        var body = await listHttp.GetByteArrayAsync(new Uri("/api/v1/namespaces/bench/services", UriKind.Relative));
        var elapsed = sw.Elapsed.TotalMilliseconds;
        if (i > 0)
        {
            listTimes.Add(elapsed);
        }

        using var doc = System.Text.Json.JsonDocument.Parse(body);
        if (doc.RootElement.GetProperty("items").GetArrayLength() != total)
        {
            throw new InvalidOperationException("list returned " + doc.RootElement.GetProperty("items").GetArrayLength());
        }
    }

    sw.Restart();
    var typed = await client.CoreV1.ListNamespacedServiceAsync("bench");
    var typedListMs = sw.Elapsed.TotalMilliseconds;

    // 4. Watch fan-out: create -> ADDED at every watcher.
    var listRv = (await client.CoreV1.ListNamespacedServiceAsync("bench", limit: 1)).Metadata.ResourceVersion;
    var arrivals = new Dictionary<string, long>[watcherCount];
    var clocks = Stopwatch.StartNew();
    using var stop = new CancellationTokenSource();
    // Watchers read the raw stream (as a Go informer would), so the figure is the server's fan-out, not the
    // cost of 100 typed C# deserializations on a shared 2-core machine.
    using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true, MaxConnectionsPerServer = watcherCount + 8 };
    using var http = new HttpClient(handler) { BaseAddress = server.Url, Timeout = Timeout.InfiniteTimeSpan };
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.Token);
    var watchClients = Array.Empty<Kubernetes>();
    var probes = 50;
    var watchers = Enumerable.Range(0, watcherCount).Select(w =>
    {
        arrivals[w] = [];
        return Task.Run(async () =>
        {
            try
            {
                var uri = new Uri("/api/v1/namespaces/bench/services?watch=true&labelSelector=probe%3Dyes&timeoutSeconds=300&resourceVersion=" + listRv, UriKind.Relative);
                using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, stop.Token);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    var now = clocks.ElapsedTicks;
                    using var doc = System.Text.Json.JsonDocument.Parse(line);
                    var name = doc.RootElement.GetProperty("object").GetProperty("metadata").GetProperty("name").GetString()!;
                    lock (arrivals[w])
                    {
                        arrivals[w][name] = now;
                        if (arrivals[w].Count == probes)
                        {
                            return;
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }).ToArray();
    await Task.Delay(2000);
    var sent = new Dictionary<string, long>();
    for (var i = 0; i < probes; i++)
    {
        var name = "probe" + i.ToString(CultureInfo.InvariantCulture);
        var svc = Service(name);
        svc.Metadata.Labels["probe"] = "yes";
        sent[name] = clocks.ElapsedTicks;
        await client.CoreV1.CreateNamespacedServiceAsync(svc, "bench");
        await Task.Delay(20);
    }

    await Task.WhenAny(Task.WhenAll(watchers), Task.Delay(30_000));
    await stop.CancelAsync();
    var latencies = new List<double>();
    foreach (var (name, start) in sent)
    {
        var last = arrivals.Max(a => { lock (a) { return a.TryGetValue(name, out var t) ? t : long.MaxValue; } });
        latencies.Add(last == long.MaxValue ? double.NaN : (last - start) * 1000.0 / Stopwatch.Frequency);
    }

    static double Percentile(List<double> values, double p)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
        | operation ({total} Services, {watcherCount} watchers) | Ferry.ApiServer |
        |---|---|
        | creates per second, one client ({sequential}) | {sequentialRate:F0} |
        | creates per second, 8 clients ({remaining}) | {concurrentRate:F0} |
        | full list of all Services (median of 10, raw HTTPS) | {Percentile(listTimes, 0.5):F1} ms |
        | full list of all Services (one typed KubernetesClient list, incl. deserialization) | {typedListMs:F1} ms ({typed.Items.Count} items) |
        | watch delivery, create → ADDED at every watcher | p50 {Percentile(latencies, 0.5):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms ({latencies.Count(double.IsNaN)} missed) |
        """));
    foreach (var c in clients.Concat(watchClients))
    {
        c.Dispose();
    }
}
finally
{
    Directory.Delete(dir, recursive: true);
}
