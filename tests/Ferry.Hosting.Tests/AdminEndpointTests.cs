using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Controller;
using Ferry.Controller.LeaderElection;
using Ferry.Hosting.Admin;
using Ferry.Ipam;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Hosting.Tests;

/// <summary>The admin endpoint of <c>ferry up</c> and <c>ferry run</c>: health, readiness and Prometheus metrics over real sockets.</summary>
public sealed class AdminEndpointTests
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_AfterConnectionThroughVip_ExportDataPlaneAndControllerCounters()
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.");
        var directory = Directory.CreateTempSubdirectory("ferry-admin-").FullName;
        await using var backend = new TcpTestBackend(IPAddress.Loopback);
        try
        {
            await using var ferry = await LocalFerry.StartAsync(
                new LocalFerryOptions
                {
                    DataDirectory = directory,
                    ApiListen = new IPEndPoint(IPAddress.Loopback, 0),
                    Admin = new AdminEndpointOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) },
                    Pools = [new AddressPool("default", [AddressRange.Parse(prefix + "0/24")])],
                },
                NullLoggerFactory.Instance,
                Ct);
            Assert.NotNull(ferry.Admin);
            Assert.NotEqual(0, ferry.Admin.Url.Port);
            using var http = new HttpClient { BaseAddress = ferry.Admin.Url, Timeout = TimeSpan.FromSeconds(10) };

            var (healthStatus, healthBody) = await GetAsync(http, "/healthz");
            Assert.Equal(HttpStatusCode.OK, healthStatus);
            Assert.Equal("ok", healthBody.Trim());

            Assert.True(await EventuallyAsync(async () => (await GetAsync(http, "/readyz")).Status == HttpStatusCode.OK), "/readyz never turned 200");
            Assert.Equal("ok", (await GetAsync(http, "/readyz")).Body.Trim());

            await ferry.Client.CoreV1.CreateNamespacedServiceAsync(
                new V1Service
                {
                    Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
                    Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Name = "main", Port = 8080, TargetPort = 9376, Protocol = "TCP" }] },
                },
                "default",
                cancellationToken: Ct);
            await ferry.Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
                new V1EndpointSlice
                {
                    Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
                    AddressType = "IPv4",
                    Ports = [new Discoveryv1EndpointPort { Name = "main", Port = backend.EndPoint.Port, Protocol = "TCP" }],
                    Endpoints = [new V1Endpoint { Addresses = [backend.EndPoint.Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }],
                },
                "default",
                cancellationToken: Ct);

            string? ip = null;
            Assert.True(
                await EventuallyAsync(async () =>
                {
                    var service = await ferry.Client.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: Ct);
                    ip = service.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip;
                    return ip is not null;
                }),
                "the Service never got an IP");
            Assert.StartsWith(prefix, ip, StringComparison.Ordinal);
            Assert.True(await EventuallyAsync(() => EchoesAsync(new IPEndPoint(IPAddress.Parse(ip!), 8080))), "no echo through the VIP");

            var (metricsStatus, metrics) = await GetAsync(http, "/metrics");
            Assert.Equal(HttpStatusCode.OK, metricsStatus);
            var backendLabel = $"backend=\"{backend.EndPoint}\"";
            Assert.Contains(
                Lines(metrics, "ferry_backend_connections_total"),
                l => l.Contains("load_balancer=\"default/web\"", StringComparison.Ordinal) && l.Contains(backendLabel, StringComparison.Ordinal) && Value(l) >= 1);
            Assert.Contains(Lines(metrics, "ferry_listener_accepted_total"), l => l.Contains("load_balancer=\"default/web\"", StringComparison.Ordinal) && Value(l) >= 1);
            Assert.Contains(Lines(metrics, "ferry_backend_bytes_total"), l => l.Contains("direction=\"to_client\"", StringComparison.Ordinal) && Value(l) >= 5);
            Assert.Contains(Lines(metrics, "ferry_controller_syncs_total"), l => l.Contains("result=\"success\"", StringComparison.Ordinal) && Value(l) >= 1);
            Assert.Contains(Lines(metrics, "ferry_controller_allocated_ips"), l => Value(l) == 1);
            Assert.Contains("# TYPE ferry_controller_sync_duration_seconds histogram", metrics, StringComparison.Ordinal);
            Assert.Contains("# TYPE ferry_backend_connections_total", metrics, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Readyz_LeaderWhoseCachesNeverSync_Returns503AndExportsLeaderGauge()
    {
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = $"http://127.0.0.1:{ClosedPort()}" });
        using var meters = new FerryMeterFactory();
        await using var ferry = await ClusterFerry.StartAsync(client, OptionsWithAdmin(), NullLoggerFactory.Instance, TimeProvider.System, Ct, meters, new NoLeaderElection());
        Assert.NotNull(ferry.Admin);
        using var http = new HttpClient { BaseAddress = ferry.Admin.Url, Timeout = TimeSpan.FromSeconds(10) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = ferry.RunAsync(stop.Token);
        try
        {
            Assert.True(await EventuallyAsync(() => Task.FromResult(ferry.Current is not null)), "the replica never led");
            var (status, body) = await GetAsync(http, "/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("not synced", body, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/healthz")).Status);
            var (_, metrics) = await GetAsync(http, "/metrics");
            Assert.Contains(Lines(metrics, "ferry_controller_leader"), l => Value(l) == 1);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Fact]
    public async Task Readyz_Standby_Returns200SayingStandby()
    {
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = $"http://127.0.0.1:{ClosedPort()}" });
        using var meters = new FerryMeterFactory();
        await using var ferry = await ClusterFerry.StartAsync(client, OptionsWithAdmin(), NullLoggerFactory.Instance, TimeProvider.System, Ct, meters, new NeverLeads());
        Assert.NotNull(ferry.Admin);
        using var http = new HttpClient { BaseAddress = ferry.Admin.Url, Timeout = TimeSpan.FromSeconds(10) };

        var (status, body) = await GetAsync(http, "/readyz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok (standby)", body.Trim());
        var (_, metrics) = await GetAsync(http, "/metrics");
        Assert.Contains(Lines(metrics, "ferry_controller_leader"), l => Value(l) == 0);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, "/nothing")).Status);
    }

    private static ClusterFerryOptions OptionsWithAdmin() => new()
    {
        Pools = [new AddressPool("default", [AddressRange.Parse("127.250.0.0/24")])],
        Controller = new ControllerOptions(),
        Admin = new AdminEndpointOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) },
    };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>The sample lines of one metric family (<c>name</c>, <c>name_total</c>, ...), not its HELP/TYPE comments.</summary>
    private static List<string> Lines(string metrics, string name) =>
        [.. metrics.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length > name.Length && (l[name.Length] is '{' or ' ' or '_')))];

    private static double Value(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);

    private static async Task<bool> EchoesAsync(IPEndPoint vip)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(vip, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("hello"u8.ToArray(), timeout.Token);
            var buffer = new byte[5];
            await stream.ReadExactlyAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer) == "hello";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + _wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50, Ct);
        }

        return false;
    }

    private sealed class NeverLeads : ILeaderElection
    {
        public bool IsLeader => false;

        public Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
