using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ferry.Hosting.Status;
using k8s;
using k8s.Models;

namespace Ferry.Cli.Tests;

/// <summary>
/// <c>ferry status</c> against a real <c>ferry up</c> process: a Service served with real bytes through its
/// external IP, then the table and the JSON document as a user sees them; and an endpoint nobody serves.
/// </summary>
public sealed partial class StatusCommandTests : IDisposable
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-status-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [GeneratedRegex("export KUBECONFIG=(?<kubeconfig>\\S+)")]
    private static partial Regex KubeconfigLine();

    [Fact]
    public async Task Status_ShowsTheServedServiceItsBackendsAndTrafficAndThePool_AsATableAndAsJson()
    {
        var poolPrefix = $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.";
        var admin = $"127.0.0.1:{FreePort()}";
        var port = FreePort();
        await using var ferry = FerryProcess.Start("up", "--data-dir", Path.Combine(_directory, "data"), "--api-listen", "127.0.0.1:0", "--admin-listen", admin, "--pool", poolPrefix + "0/28");
        Assert.True(await ferry.WaitForOutputAsync("export KUBECONFIG=", _wait), ferry.Output);
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigLine().Match(ferry.Output).Groups["kubeconfig"].Value));
        await using var backend = new GreetingBackend(IPAddress.Parse($"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}"), "hello-from-backend");
        await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = port, TargetPort = backend.EndPoint.Port, Protocol = "TCP" }] },
            },
            "default",
            cancellationToken: Ct);
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
                AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Port = backend.EndPoint.Port, Protocol = "TCP" }],
                Endpoints = [new V1Endpoint { Addresses = [backend.EndPoint.Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }],
            },
            "default",
            cancellationToken: Ct);
        var vip = await ServedAsync(client, port);

        var (code, table) = await StatusAsync("status", "--admin", admin);

        Assert.True(code == 0, table);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.True(line.Length <= StatusTable.Width, $"wider than {StatusTable.Width} columns: {line}"));
        Assert.Matches(@"^SERVICE\s+ADDRESS\s+PORTS\s+BACKENDS\s+CONNS\s+IN\s+OUT$", lines[0]);
        Assert.Matches($@"^default/web\s+{Regex.Escape(vip.Address.ToString())}\s+{port}/TCP\s+1/1\s+\d+\s+\d+\s+\d+", lines[1]);
        Assert.Matches(@"^POOL\s+ADDRESSES\s+CAPACITY\s+ALLOCATED\s+FREE$", lines[2]);
        Assert.Matches($@"^default\s+{Regex.Escape(poolPrefix)}0/28\s+14\s+1\s+13$", lines[3]);

        (code, var json) = await StatusAsync("status", "--admin", admin, "-o", "json");

        Assert.True(code == 0, json);
        var document = JsonSerializer.Deserialize<StatusDocument>(json, StatusJson.Options)!;
        Assert.Equal("up", document.Mode);
        var served = Assert.Single(document.LoadBalancers);
        Assert.Equal("default/web", served.Service);
        Assert.Equal([vip.Address.ToString()], served.Addresses);
        Assert.Equal(Ferry.DataPlane.Stats.ListenerStats.UserspacePlane, served.Plane);
        Assert.True(served.Serving);
        Assert.Equal((1, 1), (served.BackendsHealthy, served.BackendsTotal));
        // The greeting went back to the client through Ferry.
        Assert.True(served.BytesOut >= "hello-from-backend".Length, json);
        Assert.Equal(1, Assert.Single(document.Pools).Allocated);
    }

    [Fact]
    public async Task Status_NobodyAtTheAdminAddress_ExitsOneSayingWhatToCheck()
    {
        var admin = $"127.0.0.1:{FreePort()}";

        var (code, output) = await StatusAsync("status", "--admin", admin);

        Assert.Equal(1, code);
        Assert.Contains($"cannot reach Ferry's admin endpoint at {admin}", output, StringComparison.Ordinal);
        Assert.Contains("--admin-listen", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_BadArguments_ExitTwo()
    {
        Assert.Equal(2, (await StatusAsync("status", "--admin", "nonsense")).Code);
        Assert.Equal(2, (await StatusAsync("status", "-o", "yaml")).Code);
    }

    private static async Task<(int Code, string Output)> StatusAsync(params string[] args)
    {
        await using var status = FerryProcess.Start(args);
        var code = await status.WaitForExitAsync(_wait);
        return (code, status.Output);
    }

    /// <summary>Waits (bounded) for the Service's address and for the backend's greeting through it.</summary>
    private static async Task<IPEndPoint> ServedAsync(Kubernetes client, int port)
    {
        var deadline = DateTime.UtcNow + _wait;
        while (DateTime.UtcNow < deadline)
        {
            var service = await client.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: Ct);
            if (service.Status?.LoadBalancer?.Ingress is [{ Ip: { } ip }, ..])
            {
                var vip = new IPEndPoint(IPAddress.Parse(ip), port);
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    if (await GreetingBackend.ReadAsync(vip, attempt.Token) == "hello-from-backend")
                    {
                        return vip;
                    }
                }
                catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
                {
                }
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException("the Service was not served within " + _wait.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
