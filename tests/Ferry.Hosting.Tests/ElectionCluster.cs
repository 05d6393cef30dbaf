using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ferry.ApiServer;
using Ferry.Controller;
using Ferry.Controller.LeaderElection;
using Ferry.Controller.Translation;
using Ferry.Ipam;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Hosting.Tests;

/// <summary>
/// The embedded API server in process, plus replicas of <see cref="ClusterFerry"/> that each talk to it
/// through their own KubernetesClient and compete for one Lease with short timings.
/// </summary>
internal sealed class ElectionCluster : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly ApiServerOptions _apiOptions;
    private readonly List<Replica> _replicas = [];

    private ElectionCluster(string directory, ApiServerOptions apiOptions, ApiServerHandle api, string poolPrefix)
    {
        _directory = directory;
        _apiOptions = apiOptions;
        Api = api;
        PoolPrefix = poolPrefix;
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
    }

    /// <summary>The API server's data directory (its SQLite store, certificate and token file).</summary>
    public string DataDirectory => _directory;

    /// <summary>The running API server (a new handle after <see cref="RestartApiAsync"/>, same port, data and token).</summary>
    public ApiServerHandle Api { get; private set; }

    public Kubernetes Client { get; }

    /// <summary>The first three octets of this cluster's loopback pool, e.g. <c>127.45.7.</c>.</summary>
    public string PoolPrefix { get; }

    /// <summary>
    /// The embedded API server in a fresh data directory; <paramref name="tokenUsers"/> (lines of a
    /// token file, <c>token,user,uid</c>) and <paramref name="policy"/> (ABAC policy lines) add users
    /// besides the admin, refused (403) what the policy does not allow.
    /// </summary>
    public static async Task<ElectionCluster> StartAsync(IReadOnlyList<string>? tokenUsers = null, IReadOnlyList<string>? policy = null)
    {
        var directory = Directory.CreateTempSubdirectory("ferry-ha-").FullName;
        string? tokenFile = null;
        string? policyFile = null;
        if (tokenUsers is not null)
        {
            tokenFile = Path.Combine(directory, "users.csv");
            await File.WriteAllLinesAsync(tokenFile, tokenUsers, TestContext.Current.CancellationToken);
            policyFile = Path.Combine(directory, "policy.jsonl");
            await File.WriteAllLinesAsync(policyFile, policy ?? [], TestContext.Current.CancellationToken);
        }

        var options = new ApiServerOptions { DataDirectory = directory, Listen = new IPEndPoint(IPAddress.Loopback, 0), TokenAuthFile = tokenFile, AuthorizationPolicyFile = policyFile };
        var api = await ApiServerHost.StartAsync(options, NullLoggerFactory.Instance, TestContext.Current.CancellationToken);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.");
        return new ElectionCluster(directory, options, api, prefix);
    }

    /// <summary>Stops the API server (an outage: every client's connections close, state stays on disk).</summary>
    public ValueTask StopApiAsync() => Api.DisposeAsync();

    /// <summary>Starts the API server again on the same port and data directory (same objects, same token).</summary>
    public async Task RestartApiAsync()
    {
        Api = await ApiServerHost.StartAsync(
            _apiOptions with { Listen = new IPEndPoint(IPAddress.Loopback, Api.Port) },
            NullLoggerFactory.Instance,
            TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Starts a replica named <paramref name="identity"/>; <paramref name="releaseOnStop"/> false makes its stop look like a crash to the others.
    /// Through <paramref name="link"/> when given (so the test can partition it alone), with its logs in <paramref name="logs"/> when given.
    /// </summary>
    public Replica StartReplica(string identity, bool releaseOnStop = true, ApiLink? link = null, CollectedLogs? logs = null, string? token = null)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Api.KubeconfigPath);
        if (link is not null)
        {
            config.Host = string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{link.Port}");
        }

        if (token is not null)
        {
            config.AccessToken = token;
        }

        var client = new Kubernetes(config);
        var loggerFactory = logs?.CreateFactory() ?? NullLoggerFactory.Instance;
        var election = new LeaderElectionOptions
        {
            LeaseName = "ferry-controller",
            LeaseNamespace = "default",
            Identity = identity,
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
            RetryPeriod = TimeSpan.FromSeconds(0.3),
        };
        var ferry = new ClusterFerry(
            client,
            new ClusterFerryOptions
            {
                Pools = [new AddressPool("default", [AddressRange.Parse(PoolPrefix + "0/24")])],
                Controller = new ControllerOptions { Translation = new TranslationOptions { DefaultTargets = TargetMode.Endpoints } },
                LeaderElection = election,
            },
            loggerFactory,
            TimeProvider.System,
            election: new LeaseLeaderElection(client, election, TimeProvider.System, loggerFactory.CreateLogger<LeaseLeaderElection>()) { ReleaseOnCancel = releaseOnStop });
        var replica = new Replica(identity, client, ferry);
        _replicas.Add(replica);
        return replica;
    }

    public Task<V1Service> CreateServiceAsync(string name, int port) =>
        Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = port, TargetPort = 9376, Protocol = "TCP" }] },
            },
            "default",
            cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>A LoadBalancer Service whose one endpoint (an EndpointSlice) is <paramref name="backend"/>.</summary>
    public async Task CreateBackedServiceAsync(string name, int port, IPEndPoint backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Name = "main", Port = port, TargetPort = backend.Port, Protocol = "TCP" }] },
            },
            "default",
            cancellationToken: ct);
        await Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = name + "-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Name = "main", Port = backend.Port, Protocol = "TCP" }],
                Endpoints = [new V1Endpoint { Addresses = [backend.Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }],
            },
            "default",
            cancellationToken: ct);
    }

    public async Task<string> WaitForIngressIpAsync(string name)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            var service = await Client.CoreV1.ReadNamespacedServiceAsync(name, "default", cancellationToken: TestContext.Current.CancellationToken);
            if (service.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip is { } ip)
            {
                return ip;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"{name} got no IP in {Wait}");
    }

    /// <summary>Waits (bounded) until exactly one replica leads and serves; returns it.</summary>
    public async Task<Replica> WaitForSingleLeaderAsync()
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            var leaders = _replicas.Where(r => r.IsRunning && r.Ferry.Current is { Controller.IsReady: true }).ToList();
            if (leaders.Count == 1)
            {
                return leaders[0];
            }

            Assert.True(leaders.Count <= 1, "two replicas run a controller at once");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"no single leader within {Wait}");
    }

    /// <summary>True when something accepts TCP connections on <paramref name="endPoint"/>.</summary>
    public static async Task<bool> AcceptsAsync(IPEndPoint endPoint)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(endPoint, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        Client.Dispose();
        await Api.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
