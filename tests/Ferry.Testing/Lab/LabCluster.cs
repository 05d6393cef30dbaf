using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ferry.Testing.Lab;

/// <summary>
/// Ferry in a <see cref="NetnsLab"/>: <c>ferry api</c> in <see cref="NetnsLab.Api"/> listening on 192.0.2.2:6443
/// (its certificate covers that address), a Node object per lab node (InternalIP its LAN address, Ready), and
/// <c>ferry run</c> replicas in node namespaces (<see cref="StartReplica"/>) against <see cref="KubeconfigPath"/>.
/// <para>
/// The test process lives in the root namespace and cannot route into the lab, so it reaches the API server
/// through a <see cref="NamespaceTcpRelay"/>: 127.0.0.1:PORT here, sockets made inside the api namespace
/// there. <see cref="Client"/> and <see cref="RootKubeconfigPath"/> (for kubectl) use it; the certificate's
/// 127.0.0.1 entry makes TLS verify. Everything started here is also the lab's, so disposing the lab alone
/// cleans up too.
/// </para>
/// <code>
/// await using var lab = await NetnsLab.CreateAsync();
/// await using var cluster = await LabCluster.StartAsync(lab);
/// foreach (var node in lab.Nodes) { cluster.StartReplica(node); }
/// await cluster.WaitForLeaderAsync();
/// await cluster.CreateServiceAsync("web", 80, 9376, lab.Nodes);
/// var vip = await cluster.WaitForIngressAsync("web");
/// </code>
/// </summary>
public sealed class LabCluster : IAsyncDisposable
{
    /// <summary>The API server's port on <see cref="NetnsLab.Api"/>'s address.</summary>
    public const int ApiPort = 6443;

    /// <summary>Each replica's admin endpoint port on its node's address (<c>--admin-listen</c>).</summary>
    public const int AdminPort = 9102;

    /// <summary>The cluster IPs <c>ferry api</c> hands out: kubeadm's IPv4 default and an IPv6 range.</summary>
    public const string ServiceClusterIPRange = "10.96.0.0/12,fd00:10:96::/112";

    /// <summary>The Lease the replicas compete for (namespace default).</summary>
    public const string LeaseName = "ferry-controller";

    private readonly NetnsLab _lab;
    private readonly LabClusterOptions _options;
    private readonly Dictionary<string, LabProcess> _replicas = [];
    private readonly Lock _lock = new();
    private NamespaceTcpRelay? _relay;
    private Kubernetes? _client;

    private LabCluster(NetnsLab lab, LabClusterOptions options, string directory)
    {
        _lab = lab;
        _options = options;
        Directory = directory;
        PoolsPath = Path.Combine(directory, "pools.yaml");
        KubeconfigPath = Path.Combine(directory, "data", "kubeconfig");
        RootKubeconfigPath = Path.Combine(directory, "root.kubeconfig");
    }

    /// <summary>A temporary directory: the API server's data (<c>data/</c>), the pools file, the kubeconfigs.</summary>
    public string Directory { get; }

    /// <summary>The pools file the replicas read; <see cref="WritePoolsAsync"/> replaces it.</summary>
    public string PoolsPath { get; }

    /// <summary>The kubeconfig <c>ferry api</c> wrote (server https://192.0.2.2:6443), for processes inside the lab.</summary>
    public string KubeconfigPath { get; }

    /// <summary>The same credentials with the server at the relay (https://127.0.0.1:PORT), for kubectl run by the test process.</summary>
    public string RootKubeconfigPath { get; }

    /// <summary>The API server's URL inside the lab.</summary>
    public Uri ApiUrl => new($"https://{_lab.Api.IPv4}:{ApiPort}");

    /// <summary>The running <c>ferry api</c> (replaced by <see cref="StartApiAsync"/>).</summary>
    public LabProcess Api { get; private set; } = null!;

    /// <summary>A client of the lab's API server for the test process (through the relay).</summary>
    public IKubernetes Client => _client ?? throw new InvalidOperationException("not started");

    /// <summary>The replicas started so far, by node role (<c>node1</c>, ...); a restarted one replaces its entry.</summary>
    public IReadOnlyDictionary<string, LabProcess> Replicas
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, LabProcess>(_replicas);
            }
        }
    }

    /// <summary>Starts <c>ferry api</c>, the relay and the client, and creates a Node per lab node; no replica yet.</summary>
    public static async Task<LabCluster> StartAsync(NetnsLab lab, LabClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var cluster = lab.Track(new LabCluster(lab, options ?? new LabClusterOptions(), System.IO.Directory.CreateTempSubdirectory("ferry-lab-").FullName));
        await cluster.WritePoolsAsync(cluster._options.PoolsYaml, cancellationToken);
        await cluster.StartApiAsync(cancellationToken);
        cluster._relay = lab.Track(new NamespaceTcpRelay(lab.Api.Name, new IPEndPoint(lab.Api.IPv4, ApiPort)));
        var text = await File.ReadAllTextAsync(cluster.KubeconfigPath, cancellationToken);
        var rootText = text.Replace($"server: {cluster.ApiUrl.GetLeftPart(UriPartial.Authority)}", $"server: https://127.0.0.1:{cluster._relay.EndPoint.Port}", StringComparison.Ordinal);
        if (rootText == text)
        {
            throw new InvalidOperationException("the kubeconfig of ferry api does not name " + cluster.ApiUrl + ":\n" + text);
        }

        await File.WriteAllTextAsync(cluster.RootKubeconfigPath, rootText, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cluster.RootKubeconfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        cluster._client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.RootKubeconfigPath));
        foreach (var node in lab.Nodes)
        {
            await cluster.Client.CoreV1.CreateNodeAsync(
                new V1Node
                {
                    Metadata = new V1ObjectMeta { Name = node.Role },
                    Status = new V1NodeStatus
                    {
                        Addresses = [new V1NodeAddress { Type = "InternalIP", Address = node.IPv4.ToString() }, new V1NodeAddress { Type = "Hostname", Address = node.Role }],
                        Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady" }],
                    },
                },
                cancellationToken: cancellationToken);
        }

        return cluster;
    }

    /// <summary>Starts <c>ferry api</c> (again, after <see cref="StopApiAsync"/>: same data, same address) and waits until it serves.</summary>
    public async Task StartApiAsync(CancellationToken cancellationToken = default)
    {
        // The lab's LAN has both families, so the cluster admits single-stack IPv6 Services too.
        var api = _lab.StartProcess(
            _lab.Api,
            "dotnet",
            [_options.FerryDll, "api", "--data-dir", Path.Combine(Directory, "data"), "--listen", $"{_lab.Api.IPv4}:{ApiPort}", "--service-cluster-ip-range", ServiceClusterIPRange, .. _options.ApiArguments]);
        Api = api;
        if (!await api.WaitForOutputAsync("export KUBECONFIG=", _options.StartTimeout, cancellationToken))
        {
            throw new InvalidOperationException("ferry api did not start in the lab:\n" + api.Output);
        }
    }

    /// <summary>Stops <c>ferry api</c> (SIGTERM by default, SIGKILL for a crash) and waits for it.</summary>
    public Task StopApiAsync(LabSignal signal = LabSignal.Terminate, CancellationToken cancellationToken = default) =>
        Api.KillAsync(signal, _options.StartTimeout, cancellationToken);

    /// <summary>Replaces the pools file (replicas read it when they start).</summary>
    public Task WritePoolsAsync(string yaml, CancellationToken cancellationToken = default) => File.WriteAllTextAsync(PoolsPath, yaml, cancellationToken);

    /// <summary>
    /// Starts <c>ferry run</c> in <paramref name="node"/> as identity <c>NODE</c> (its role) with <c>NODE_NAME</c> set,
    /// the lab's flags, <see cref="LabClusterOptions.RunArguments"/>, then <paramref name="extraArguments"/>.
    /// </summary>
    public LabProcess StartReplica(LabNamespace node, params string[] extraArguments)
    {
        ArgumentNullException.ThrowIfNull(node);
        var replica = _lab.StartProcess(
            node,
            "dotnet",
            [
                _options.FerryDll, "run", "--kubeconfig", KubeconfigPath, "--pools", PoolsPath, "--targets", "endpoints",
                "--identity", node.Role, "--lease-namespace", "default", "--admin-listen", $"{node.IPv4}:{AdminPort}",
                .. _options.RunArguments, .. extraArguments,
            ],
            // The userspace plane unless a test asks for another with --data-plane (which wins over the variable).
            new Dictionary<string, string?> { ["NODE_NAME"] = node.Role, ["FERRY_DATA_PLANE"] = "userspace" });
        lock (_lock)
        {
            _replicas[node.Role] = replica;
        }

        return replica;
    }

    /// <summary>The Lease holder now (null when none or no Lease yet).</summary>
    public async Task<string?> LeaderAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, "default", cancellationToken: cancellationToken);
            return string.IsNullOrEmpty(lease.Spec?.HolderIdentity) ? null : lease.Spec.HolderIdentity;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Waits (polling, bounded) until a replica holds the Lease; returns its identity (the node's role).</summary>
    public async Task<string> WaitForLeaderAsync(CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await LeaderAsync(cancellationToken) is { } leader)
            {
                return leader;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("no replica became the leader:\n" + string.Join("\n---\n", Replicas.Select(r => r.Key + ":\n" + r.Value.Output)));
    }

    /// <summary>
    /// Creates a Service of type LoadBalancer (namespace default, one port) and an EndpointSlice with one ready
    /// endpoint per node in <paramref name="endpoints"/> (its LAN address and <paramref name="targetPort"/>, <c>nodeName</c> set);
    /// single-stack <paramref name="family"/> (the endpoints then use the nodes' IPv6 addresses for IPv6);
    /// <paramref name="loadBalancerIP"/>, when given, goes to <c>spec.loadBalancerIP</c>.
    /// </summary>
    public async Task<V1Service> CreateServiceAsync(
        string name,
        int port,
        int targetPort,
        IEnumerable<LabNamespace> endpoints,
        string protocol = "TCP",
        string externalTrafficPolicy = "Cluster",
        IDictionary<string, string>? annotations = null,
        AddressFamily family = AddressFamily.InterNetwork,
        string? loadBalancerIP = null,
        CancellationToken cancellationToken = default)
    {
        var ipv6 = family == AddressFamily.InterNetworkV6;
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(endpoints);
        var service = await Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Annotations = annotations },
                Spec = new V1ServiceSpec
                {
                    Type = "LoadBalancer",
                    ExternalTrafficPolicy = externalTrafficPolicy,
                    Ports = [new V1ServicePort { Port = port, TargetPort = targetPort, Protocol = protocol }],
                    IpFamilies = [ipv6 ? "IPv6" : "IPv4"],
                    LoadBalancerIP = loadBalancerIP,
                },
            },
            "default",
            cancellationToken: cancellationToken);
        await Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = name + "-lab", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = ipv6 ? "IPv6" : "IPv4",
                Ports = [new Discoveryv1EndpointPort { Port = targetPort, Protocol = protocol }],
                Endpoints = [.. endpoints.Select(node => new V1Endpoint { Addresses = [(ipv6 ? node.IPv6 : node.IPv4).ToString()], NodeName = node.Role, Conditions = new V1EndpointConditions { Ready = true } })],
            },
            "default",
            cancellationToken: cancellationToken);
        return service;
    }

    /// <summary>
    /// Replaces the endpoints of the EndpointSlice <see cref="CreateServiceAsync"/> made for Service <paramref name="name"/>:
    /// one per node in <paramref name="ready"/> (ready) and in <paramref name="notReady"/> (ready: false), each the
    /// node's address of the slice's family; its ports stay.
    /// </summary>
    public async Task ReplaceEndpointsAsync(string name, IEnumerable<LabNamespace> ready, IEnumerable<LabNamespace>? notReady = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(ready);
        var slice = await Client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(name + "-lab", "default", cancellationToken: cancellationToken);
        var ipv6 = slice.AddressType == "IPv6";
        V1Endpoint Endpoint(LabNamespace node, bool isReady) =>
            new() { Addresses = [(ipv6 ? node.IPv6 : node.IPv4).ToString()], NodeName = node.Role, Conditions = new V1EndpointConditions { Ready = isReady } };
        slice.Endpoints = [.. ready.Select(n => Endpoint(n, true)), .. (notReady ?? []).Select(n => Endpoint(n, false))];
        await Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, "default", cancellationToken: cancellationToken);
    }

    /// <summary>Waits (polling, bounded) until Service <paramref name="name"/> has an address in status.loadBalancer.ingress; returns the first.</summary>
    public async Task<IPAddress> WaitForIngressAsync(string name, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var service = await Client.CoreV1.ReadNamespacedServiceAsync(name, "default", cancellationToken: cancellationToken);
            if (service.Status?.LoadBalancer?.Ingress is [{ Ip: { } ip }, ..])
            {
                return IPAddress.Parse(ip);
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"Service {name} got no address:\n" + string.Join("\n---\n", Replicas.Select(r => r.Key + ":\n" + r.Value.Output)));
    }

    /// <summary>The replica of <paramref name="node"/>'s admin endpoint, for <c>/readyz</c> and <c>/metrics</c> (reach it from a lab namespace).</summary>
    public static Uri AdminUrl(LabNamespace node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{node.IPv4}:{AdminPort}/"));
    }

    /// <summary>Disposes the client, kills the replicas and the API server (SIGKILL), deletes the directory; the lab stops the relay.</summary>
    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        LabProcess[] processes;
        lock (_lock)
        {
            processes = [.. _replicas.Values, .. Api is null ? Array.Empty<LabProcess>() : [Api]];
        }

        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // An earlier replica (replaced in Replicas) may still write there until the lab kills it; the temp directory is left.
        }
    }
}
