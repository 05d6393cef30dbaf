using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Hosting;
using Ferry.Controller.Bench;
using Ferry.Ipam;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: dotnet run -c Release --project bench/controller [-- latency=50 cold=1000 workers=1]
// workers=1 is LocalFerry as `ferry up` runs it; more runs the same LocalFerry with more service workers.
// Loopback only: a random 127.x.y.0/22 pool, the API server on 127.0.0.1:0, one greeting backend on 127.0.0.1:0.
var settings = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
var latencyCount = settings.GetValueOrDefault("latency", 50);
var coldCount = settings.GetValueOrDefault("cold", 1000);
var workers = settings.GetValueOrDefault("workers", 1);
const int ServicePort = 8080;
var greeting = Encoding.ASCII.GetBytes("ferry-bench");

var poolBase = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 64) * 4}.0/22");
var pool = new AddressPool("default", [AddressRange.Parse(poolBase)]);
using var backend = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
backend.Bind(new IPEndPoint(IPAddress.Loopback, 0));
backend.Listen(512);
var backendEndPoint = (IPEndPoint)backend.LocalEndPoint!;
using var stopBackend = new CancellationTokenSource();
var backendLoop = Task.Run(async () =>
{
    while (!stopBackend.IsCancellationRequested)
    {
        Socket client;
        try
        {
            client = await backend.AcceptAsync(stopBackend.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            return;
        }

        using (client)
        {
            await client.SendAsync(greeting, SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
        }
    }
});

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"service workers {workers}, pool {poolBase}, backend {backendEndPoint}, {Environment.ProcessorCount} CPUs, load average {File.ReadAllText("/proc/loadavg").Trim()}"));

// a. Create → first byte through the new IP, one Service at a time.
var latencyDir = Directory.CreateTempSubdirectory("ferry-ctl-bench-a-").FullName;
var toStatus = new List<double>();
var toByte = new List<double>();
try
{
    await using var ferry = await StartFerryAsync(latencyDir);
    var client = ferry.Client;
    // i == -1 is one untimed warm-up Service (JIT, first connections); its time is printed separately.
    for (var i = -1; i < latencyCount; i++)
    {
        var name = "lat" + (i + 1).ToString(CultureInfo.InvariantCulture);
        var sw = Stopwatch.StartNew();
        await client.CoreV1.CreateNamespacedServiceAsync(Service(name), "default");
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice(name), "default");
        IPAddress? ip = null;
        while (ip is null)
        {
            Bounded(sw, name);
            var read = await client.CoreV1.ReadNamespacedServiceAsync(name, "default");
            var text = read.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip;
            ip = text is null ? null : IPAddress.Parse(text);
        }

        var statusMs = sw.Elapsed.TotalMilliseconds;
        while (!await GreetedAsync(new IPEndPoint(ip, ServicePort)))
        {
            Bounded(sw, name);
            await Task.Delay(1);
        }

        if (i < 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up Service: status {statusMs:F1} ms, first byte {sw.Elapsed.TotalMilliseconds:F1} ms"));
            continue;
        }

        toStatus.Add(statusMs);
        toByte.Add(sw.Elapsed.TotalMilliseconds);
    }
}
finally
{
    Directory.Delete(latencyDir, recursive: true);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

    | a. create Service + EndpointSlice, one at a time ({latencyCount}) | median | p99 | max |
    |---|---|---|---|
    | → status.loadBalancer.ingress seen by a polling client | {Percentile(toStatus, 0.5):F1} ms | {Percentile(toStatus, 0.99):F1} ms | {toStatus.Max():F1} ms |
    | → first byte from the backend through IP:port | {Percentile(toByte, 0.5):F1} ms | {Percentile(toByte, 0.99):F1} ms | {toByte.Max():F1} ms |
    """));

// b. Cold start with coldCount Services already stored, then a warm restart.
var coldDir = Directory.CreateTempSubdirectory("ferry-ctl-bench-b-").FullName;
try
{
    var createWatch = Stopwatch.StartNew();
    await using (var api = await ApiFerry.StartAsync(
        new ApiFerryOptions { DataDirectory = coldDir, Listen = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance, CancellationToken.None))
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath);
        var clients = Enumerable.Range(0, 8).Select(_ => new Kubernetes(config)).ToArray();
        var next = -1;
        await Task.WhenAll(clients.Select(c => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < coldCount)
            {
                var name = "cold" + i.ToString(CultureInfo.InvariantCulture);
                await c.CoreV1.CreateNamespacedServiceAsync(Service(name), "default");
                await c.DiscoveryV1.CreateNamespacedEndpointSliceAsync(Slice(name), "default");
            }
        })));
        foreach (var c in clients)
        {
            c.Dispose();
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\n{coldCount} Services + EndpointSlices stored by the API server alone in {createWatch.Elapsed.TotalSeconds:F1} s"));

    var cold = await ConvergeAsync(coldDir, coldCount);
    var warm = await ConvergeAsync(coldDir, coldCount);
    var kept = cold.Ips.Count(p => warm.Ips.TryGetValue(p.Key, out var ip) && ip == p.Value);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

        | b. {coldCount} LoadBalancer Services | start returned | all listeners open (DataPlane.GetStats().Count == {coldCount}) | all statuses have an ingress IP | one greeting through the last Service |
        |---|---|---|---|---|
        | cold start (no allocations yet) | {cold.Started:F2} s | {cold.Listeners:F2} s | {cold.Statuses:F2} s | {cold.Greeted} |
        | warm restart (same data dir) | {warm.Started:F2} s | {warm.Listeners:F2} s | {warm.Statuses:F2} s | {warm.Greeted} |

        Warm restart kept the same IP for {kept} of {coldCount} Services ({cold.Ips.Values.Distinct().Count()} distinct IPs after the cold start).
        """));
}
finally
{
    Directory.Delete(coldDir, recursive: true);
    await stopBackend.CancelAsync();
    backend.Dispose();
    await backendLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}

Task<BenchFerry> StartFerryAsync(string dataDir) => BenchFerry.StartAsync(dataDir, pool, workers);

async Task<(double Started, double Listeners, double Statuses, bool Greeted, Dictionary<string, string> Ips)> ConvergeAsync(string dataDir, int count)
{
    var sw = Stopwatch.StartNew();
    await using var ferry = await StartFerryAsync(dataDir);
    var started = sw.Elapsed.TotalSeconds;
    double listeners = double.NaN;
    double statuses = double.NaN;
    Dictionary<string, string> ips = [];
    while (double.IsNaN(listeners) || double.IsNaN(statuses))
    {
        if (sw.Elapsed > TimeSpan.FromSeconds(120))
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"not converged in 120 s: {ferry.Host.DataPlane.GetStats().Count} listeners, {ips.Count} statuses"));
        }

        if (double.IsNaN(listeners) && ferry.Host.DataPlane.GetStats().Count == count)
        {
            listeners = sw.Elapsed.TotalSeconds;
        }

        if (double.IsNaN(statuses))
        {
            var list = await ferry.Client.CoreV1.ListNamespacedServiceAsync("default");
            ips = list.Items
                .Where(s => s.Spec.Type == "LoadBalancer" && s.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip is not null)
                .ToDictionary(s => s.Metadata.Name, s => s.Status.LoadBalancer.Ingress[0].Ip);
            if (ips.Count == count)
            {
                statuses = sw.Elapsed.TotalSeconds;
            }
        }

        await Task.Delay(double.IsNaN(listeners) ? 10 : 50);
    }

    var last = "cold" + (count - 1).ToString(CultureInfo.InvariantCulture);
    var greeted = await GreetedAsync(new IPEndPoint(IPAddress.Parse(ips[last]), ServicePort));
    return (started, listeners, statuses, greeted, ips);
}

async Task<bool> GreetedAsync(IPEndPoint endPoint)
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
    try
    {
        await socket.ConnectAsync(endPoint, timeout.Token);
        var buffer = new byte[64];
        var total = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token)) > 0)
        {
            total += read;
        }

        return buffer.AsSpan(0, total).SequenceEqual(greeting);
    }
    catch (Exception e) when (e is SocketException or OperationCanceledException)
    {
        return false;
    }
}

V1Service Service(string name) => new()
{
    Metadata = new V1ObjectMeta { Name = name },
    Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Name = "main", Port = ServicePort, TargetPort = 9376, Protocol = "TCP" }] },
};

V1EndpointSlice Slice(string name) => new()
{
    Metadata = new V1ObjectMeta { Name = name + "-local", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
    AddressType = "IPv4",
    Ports = [new Discoveryv1EndpointPort { Name = "main", Port = backendEndPoint.Port, Protocol = "TCP" }],
    Endpoints = [new V1Endpoint { Addresses = [backendEndPoint.Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }],
};

static void Bounded(Stopwatch sw, string name)
{
    if (sw.Elapsed > TimeSpan.FromSeconds(30))
    {
        throw new TimeoutException(name + " not served within 30 s");
    }
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
