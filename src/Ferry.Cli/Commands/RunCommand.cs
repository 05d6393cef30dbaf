using System.CommandLine;
using System.Globalization;
using System.Net;
using Ferry.Controller;
using Ferry.Controller.LeaderElection;
using Ferry.Controller.Predicates;
using Ferry.Controller.Translation;
using Ferry.Hosting;
using Ferry.Hosting.Admin;
using Ferry.Hosting.Connection;
using Ferry.Hosting.Serving;
using Ferry.Configuration.Pools;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry run</c>: the service controller and the data plane against a real cluster
/// (docs/running-in-a-cluster.md), with leader election between replicas through a Lease.
/// </summary>
internal static partial class RunCommand
{
    private static readonly Dictionary<string, ClassSelection> _classes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["unset"] = ClassSelection.Unset,
        ["ferry"] = ClassSelection.FerryOnly,
        ["both"] = ClassSelection.UnsetAndFerry,
    };

    private const string KubeProxyCheck = "kube-proxy";
    private const string NodePortCheck = "node-port";

    public static Command Create()
    {
        var kubeconfig = new Option<FileInfo>("--kubeconfig") { Description = "The kubeconfig to reach the cluster with (default, as kubectl: $KUBECONFIG, else ~/.kube/config, else the pod's service account)." };
        var context = new Option<string>("--context") { Description = "The kubeconfig context to use (default: its current context)." };
        var inCluster = new Option<bool>("--in-cluster") { Description = "Use the pod's service account (KUBERNETES_SERVICE_HOST and the mounted token), whatever the environment says." };
        var pools = new Option<FileInfo>("--pools")
        {
            Description = "The YAML file of address pools (see docs/running-in-a-cluster.md).",
            Required = true,
        };
        var targets = new Option<string>("--targets")
        {
            Description = "Where traffic goes: the nodes' NodePorts (through kube-proxy) or the endpoints directly.",
            DefaultValueFactory = _ => TargetModeNames.ToName(TargetMode.Nodes),
        };
        targets.AcceptOnlyFromAmong([.. TargetModeNames.All]);
        var classes = new Option<string>("--class")
        {
            Description = "Which spec.loadBalancerClass to serve: unset (no class), ferry (ferry.dev/lb) or both.",
            DefaultValueFactory = _ => "unset",
        };
        classes.AcceptOnlyFromAmong([.. _classes.Keys]);
        var nodeHealthCheck = new Option<string>("--node-health-check")
        {
            Description = "How --targets nodes checks a node for a Service with externalTrafficPolicy: Cluster: kube-proxy's /healthz, or a TCP connect to the NodePort (for kube-proxy replacements without /healthz).",
            DefaultValueFactory = _ => KubeProxyCheck,
        };
        nodeHealthCheck.AcceptOnlyFromAmong(KubeProxyCheck, NodePortCheck);
        var kubeProxyHealthzPort = new Option<int>("--kube-proxy-healthz-port")
        {
            Description = "The port of kube-proxy's /healthz on every node (kube-proxy's --healthz-bind-address).",
            DefaultValueFactory = _ => new TranslationOptions().KubeProxyHealthzPort,
        };
        var leaderElect = new Option<bool>("--leader-elect")
        {
            Description = "Elect a leader through a Lease so that only one replica runs the controller (--leader-elect=false for a single replica).",
            DefaultValueFactory = _ => true,
        };
        var leaseName = new Option<string>("--lease-name")
        {
            Description = "The Lease replicas compete for.",
            DefaultValueFactory = _ => LeaderElectionOptions.DefaultLeaseName,
        };
        var leaseNamespace = new Option<string>("--lease-namespace") { Description = $"The Lease's namespace (default: the pod's namespace in-cluster, the kubeconfig context's namespace outside, else {LeaderElectionOptions.DefaultLeaseNamespace})." };
        var identity = new Option<string>("--identity") { Description = "This replica's name in the Lease and in Events (default: host name plus a random suffix)." };
        var leaseDuration = new Option<double>("--lease-duration") { Description = "Seconds a standby waits for a silent leader.", DefaultValueFactory = _ => 15 };
        var renewDeadline = new Option<double>("--renew-deadline") { Description = "Seconds the leader keeps retrying a renewal the API server answers with an error before it steps down (an unreachable API server ends the term at the first failed renewal; the listeners keep serving either way).", DefaultValueFactory = _ => 10 };
        var retryPeriod = new Option<double>("--retry-period") { Description = "Seconds between attempts to acquire or renew.", DefaultValueFactory = _ => 2 };
        var adminListen = new Option<string>("--admin-listen")
        {
            Description = $"The admin endpoint (/healthz, /readyz, /metrics, /status over plain HTTP): address and port, default {AdminEndpointOptions.DefaultListen}; port 0 picks a free one.",
            HelpName = "address:port",
        };
        var nodeName = new Option<string>("--node-name") { Description = "The node this replica runs on, its name among the replicas that announce addresses (default: $NODE_NAME, else the host name)." };
        var peerListen = new Option<string>("--peer-listen")
        {
            Description = $"Where this replica hears the other replicas' heartbeats (pools with announce: l2): an address they reach and a port (default: $POD_IP, else the node's InternalIP, port {DefaultPeerPort}). Given, the replica also announces the pools AddressPool objects and MetalLB L2Advertisements announce.",
            HelpName = "address:port",
        };
        var peerKeyFile = new Option<FileInfo>("--peer-key-file") { Description = "A file with a secret every replica shares; heartbeats are signed with it (HMAC-SHA256) and unsigned ones dropped." };
        var peerInterval = new Option<double>("--peer-heartbeat-interval") { Description = "Seconds between heartbeats to each replica.", DefaultValueFactory = _ => 0.1 };
        var peerTimeout = new Option<double?>("--peer-failure-timeout") { Description = "Seconds of silence after which a replica is dead and its addresses move (default: the membership's, under a second)." };
        var vipDevice = new Option<string>("--vip-device") { Description = "The dummy device announced addresses are put on.", DefaultValueFactory = _ => "ferry0" };
        var dataPlane = DataPlaneOption.Create();
        var logLevel = ConsoleLogging.CreateLevelOption();
        var command = new Command("run", "Run the service controller and data plane against a cluster; replicas elect a leader through a Lease.")
        {
            kubeconfig, context, inCluster, pools, targets, classes, nodeHealthCheck, kubeProxyHealthzPort, leaderElect, leaseName, leaseNamespace, identity, leaseDuration, renewDeadline, retryPeriod, adminListen,
            nodeName, peerListen, peerKeyFile, peerInterval, peerTimeout, vipDevice, dataPlane, logLevel,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            new Settings(
                new ClusterConnectionRequest(parseResult.GetValue(kubeconfig)?.FullName, parseResult.GetValue(context), parseResult.GetValue(inCluster)),
                parseResult.GetRequiredValue(pools).FullName,
                TargetModeNames.TryParse(parseResult.GetRequiredValue(targets), out var target) ? target : TargetMode.Nodes,
                _classes[parseResult.GetRequiredValue(classes)],
                parseResult.GetRequiredValue(nodeHealthCheck) == NodePortCheck,
                parseResult.GetValue(kubeProxyHealthzPort),
                parseResult.GetValue(leaderElect),
                parseResult.GetRequiredValue(leaseName),
                parseResult.GetValue(leaseNamespace),
                parseResult.GetValue(identity),
                TimeSpan.FromSeconds(parseResult.GetValue(leaseDuration)),
                TimeSpan.FromSeconds(parseResult.GetValue(renewDeadline)),
                TimeSpan.FromSeconds(parseResult.GetValue(retryPeriod)),
                parseResult.GetValue(adminListen),
                new PeerSettings(
                    parseResult.GetValue(nodeName),
                    parseResult.GetValue(peerListen),
                    parseResult.GetValue(peerKeyFile)?.FullName,
                    TimeSpan.FromSeconds(parseResult.GetValue(peerInterval)),
                    parseResult.GetValue(peerTimeout) is { } t ? TimeSpan.FromSeconds(t) : null,
                    parseResult.GetRequiredValue(vipDevice)),
                parseResult.GetValue(dataPlane)),
            ConsoleLogging.Parse(parseResult.GetRequiredValue(logLevel)),
            parseResult.InvocationConfiguration,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Settings settings, LogLevel level, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        if (settings.Connection.Validate() is [var flagProblem, ..])
        {
            await console.Error.WriteLineAsync($"ferry run: {flagProblem}");
            return 2;
        }

        if (DataPlaneOption.Resolve(settings.DataPlane, null, out var dataPlaneProblem) is not { } dataPlane)
        {
            await console.Error.WriteLineAsync($"ferry run: {dataPlaneProblem}");
            return 2;
        }

        AdminEndpointOptions admin;
        try
        {
            admin = new AdminEndpointOptions
            {
                Listen = ListenAddress.Parse(settings.AdminListen ?? AdminEndpointOptions.DefaultListen),
                // Only the default address may be taken: another replica on this machine may hold it; run on without.
                Optional = settings.AdminListen is null,
            };
        }
        catch (FormatException e)
        {
            await console.Error.WriteLineAsync($"--admin-listen: {e.Message}");
            return 2;
        }

        string poolsText;
        try
        {
            poolsText = await File.ReadAllTextAsync(settings.PoolsPath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await console.Error.WriteLineAsync($"{settings.PoolsPath}: cannot read the file: {e.Message}");
            return 1;
        }

        var parsed = AddressPoolsFile.Parse(poolsText);
        if (!parsed.IsValid)
        {
            foreach (var error in parsed.Errors)
            {
                await console.Error.WriteLineAsync($"{settings.PoolsPath}: {error}");
            }

            return 1;
        }

        var controller = new ControllerOptions
        {
            Classes = settings.Classes,
            Translation = new TranslationOptions
            {
                DefaultTargets = settings.Targets,
                ClusterPolicyChecksNodePort = settings.ClusterPolicyChecksNodePort,
                KubeProxyHealthzPort = settings.KubeProxyHealthzPort,
            },
        };
        if (controller.Validate() is [var controllerProblem, ..])
        {
            await console.Error.WriteLineAsync($"ferry run: {controllerProblem.Replace("Translation.KubeProxyHealthzPort", "--kube-proxy-healthz-port", StringComparison.Ordinal)}");
            return 2;
        }

        var timings = new LeaderElectionOptions { Identity = "check", LeaseDuration = settings.LeaseDuration, RenewDeadline = settings.RenewDeadline, RetryPeriod = settings.RetryPeriod };
        if (settings.LeaderElect && timings.Validate() is [var problem, ..])
        {
            await console.Error.WriteLineAsync($"ferry run: leader election: {problem}");
            return 2;
        }

        ClusterConnection connection;
        try
        {
            connection = ClusterConnection.Load(settings.Connection);
        }
        catch (ClusterConnectionException e)
        {
            await console.Error.WriteLineAsync($"ferry run: cannot load the cluster configuration: {e.Message}");
            return 1;
        }

        var config = connection.Configuration;

        LeaderElectionOptions? election = null;
        if (settings.LeaderElect)
        {
            election = new LeaderElectionOptions
            {
                LeaseName = settings.LeaseName,
                LeaseNamespace = LeaderElectionOptions.ChooseNamespace(settings.LeaseNamespace, connection.Namespace),
                Identity = settings.Identity ?? LeaderElectionOptions.DefaultIdentity(),
                LeaseDuration = settings.LeaseDuration,
                RenewDeadline = settings.RenewDeadline,
                RetryPeriod = settings.RetryPeriod,
            };
        }

        ProxyCommand.EnableInlineSocketCompletions();
        using var loggerFactory = ConsoleLogging.Create(level);
        var logger = loggerFactory.CreateLogger("Ferry.Cli.Run");
        using var stop = new StopSignals(logger, cancellationToken);
        using var client = new Kubernetes(config);
        if (election is not null && await CheckLeasePermissionAsync(client, election, logger, console, stop.Token) is false)
        {
            return 1;
        }

        ReplicaServingOptions? serving = null;
        // A replica given --peer-listen takes part in announcing even when the pools file announces nothing:
        // AddressPool objects and MetalLB's L2Advertisements can announce pools while it runs.
        if (parsed.Announcements.Any(a => a.IsAnnounced) || settings.Peers.Listen is not null)
        {
            serving = await ServingOptionsAsync(settings.Peers, parsed, election, connection, client, console, stop.Token);
            if (serving is null)
            {
                return 2;
            }
        }

        ClusterFerry ferry;
        try
        {
            ferry = await ClusterFerry.StartAsync(
                client,
                new ClusterFerryOptions
                {
                    Pools = parsed.Pools,
                    Controller = controller,
                    LeaderElection = election,
                    Admin = admin,
                    Serving = serving,
                    DataPlane = dataPlane,
                },
                loggerFactory,
                TimeProvider.System,
                stop.Token);
        }
        catch (DataPlaneUnavailableException e)
        {
            await console.Error.WriteLineAsync($"ferry run: {e.Message}");
            return 1;
        }
        catch (IOException e)
        {
            await console.Error.WriteLineAsync($"ferry run: cannot serve the admin endpoint on {admin.Listen} or hear heartbeats on {serving?.HeartbeatListen}: {e.Message}");
            return 1;
        }

        try
        {
            if (ferry.Admin is { } adminEndpoint)
            {
                await console.Output.WriteLineAsync($"Ferry admin endpoint on {adminEndpoint.Url} (/healthz, /readyz, /metrics, /status)");
            }

            Log.Starting(
                logger,
                VersionCommand.Version,
                connection.ContextName is null ? $"{config.Host} ({connection.Source.Origin})" : $"{config.Host} (context {connection.ContextName} from {connection.Source.Origin})",
                string.Join(", ", parsed.Pools.Select(p => $"{p.Name} ({string.Join(" ", p.Ranges)})")),
                election is null ? "off" : string.Create(CultureInfo.InvariantCulture, $"Lease {election.LeaseNamespace}/{election.LeaseName} as {election.Identity}"));
            await ferry.RunAsync(stop.Token);
        }
        finally
        {
            await ferry.DisposeAsync();
        }

        // Only now has everything stopped: the controller, the listeners, the Lease calls and the admin endpoint.
        Log.Stopped(logger);
        return 0;
    }

    /// <summary>
    /// The announcing settings: this node's name and where it hears heartbeats (the flag, else $POD_IP,
    /// which a DaemonSet with hostNetwork sets to the node's address, else the Node's InternalIP); null
    /// (after saying why) when none can be found.
    /// </summary>
    private static async Task<ReplicaServingOptions?> ServingOptionsAsync(PeerSettings peers, AddressPoolsParseResult parsed, LeaderElectionOptions? election, ClusterConnection connection, Kubernetes client, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        var node = peers.NodeName ?? (Environment.GetEnvironmentVariable("NODE_NAME") is { Length: > 0 } fromEnv ? fromEnv : Environment.MachineName);
        IPEndPoint listen;
        if (peers.Listen is not null)
        {
            try
            {
                listen = ListenAddress.Parse(peers.Listen);
            }
            catch (FormatException e)
            {
                await console.Error.WriteLineAsync($"--peer-listen: {e.Message}");
                return null;
            }
        }
        else if (Environment.GetEnvironmentVariable("POD_IP") is { Length: > 0 } podIp && IPAddress.TryParse(podIp, out var fromPod))
        {
            listen = new IPEndPoint(fromPod, DefaultPeerPort);
        }
        else if (await NodeAddressAsync(client, node, cancellationToken) is { } fromNode)
        {
            listen = new IPEndPoint(fromNode, DefaultPeerPort);
        }
        else
        {
            await console.Error.WriteLineAsync($"ferry run: pools announce addresses, so replicas heartbeat each other: cannot tell this replica's address (no $POD_IP, and node \"{node}\" has no InternalIP); set --peer-listen ADDRESS:PORT");
            return null;
        }

        byte[]? key = null;
        if (peers.KeyFile is not null)
        {
            try
            {
                key = await File.ReadAllBytesAsync(peers.KeyFile, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await console.Error.WriteLineAsync($"--peer-key-file: cannot read {peers.KeyFile}: {e.Message}");
                return null;
            }
        }

        var options = new ReplicaServingOptions
        {
            NodeName = node,
            Announcements = parsed.Announcements,
            HeartbeatListen = listen,
            HeartbeatInterval = peers.HeartbeatInterval,
            FailureTimeout = peers.FailureTimeout,
            HeartbeatKey = key,
            DeviceName = peers.Device,
            LeaseNamespace = election?.LeaseNamespace ?? LeaderElectionOptions.ChooseNamespace(null, connection.Namespace),
        };
        if (options.Validate() is [var problem, ..])
        {
            await console.Error.WriteLineAsync($"ferry run: {problem}");
            return null;
        }

        return options;
    }

    private static async Task<IPAddress?> NodeAddressAsync(Kubernetes client, string node, CancellationToken cancellationToken)
    {
        try
        {
            var found = await client.CoreV1.ReadNodeAsync(node, cancellationToken: cancellationToken);
            return found.Status?.Addresses?.Where(a => a.Type == "InternalIP").Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null).FirstOrDefault(ip => ip is not null);
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            return null;
        }
    }

    /// <summary>False (after saying why on stderr) when the API server refuses this identity the Lease; an unanswered check is a warning only.</summary>
    private static async Task<bool> CheckLeasePermissionAsync(Kubernetes client, LeaderElectionOptions election, ILogger logger, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(election.RenewDeadline);
        LeasePermissionResult result;
        try
        {
            result = await LeasePermissionCheck.CheckAsync(client, election, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = LeasePermissionResult.Undecided($"no answer within {election.RenewDeadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }

        if (result.IsDenied)
        {
            var reason = result.Detail.Length > 0 ? $" ({result.Detail})" : string.Empty;
            await console.Error.WriteLineAsync(
                $"ferry run: this identity may not {string.Join(", ", result.DeniedVerbs)} leases.coordination.k8s.io in namespace \"{election.LeaseNamespace}\"{reason}. " +
                "Grant them (deploy/10-rbac.yaml's Role ferry-leader-election) or pick the Lease's namespace with --lease-namespace.");
            return false;
        }

        if (!result.Decided)
        {
            Log.PermissionUnchecked(logger, election.LeaseNamespace, result.Detail);
        }

        return true;
    }

    private sealed record Settings(
        ClusterConnectionRequest Connection,
        string PoolsPath,
        TargetMode Targets,
        ClassSelection Classes,
        bool ClusterPolicyChecksNodePort,
        int KubeProxyHealthzPort,
        bool LeaderElect,
        string LeaseName,
        string? LeaseNamespace,
        string? Identity,
        TimeSpan LeaseDuration,
        TimeSpan RenewDeadline,
        TimeSpan RetryPeriod,
        string? AdminListen,
        PeerSettings Peers,
        string? DataPlane);

    private sealed record PeerSettings(string? NodeName, string? Listen, string? KeyFile, TimeSpan HeartbeatInterval, TimeSpan? FailureTimeout, string Device);

    /// <summary>The heartbeat port when none is given (MetalLB's memberlist uses 7946).</summary>
    private const int DefaultPeerPort = 7947;

    private static partial class Log
    {
        [LoggerMessage(7200, LogLevel.Information, "ferry {Version} run: cluster {Server}; pools {Pools}; leader election {Election}; Ctrl-C to stop")]
        public static partial void Starting(ILogger logger, string version, string server, string pools, string election);

        [LoggerMessage(7201, LogLevel.Information, "Stopped: controller, listeners, leader election and admin endpoint all ended")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(7202, LogLevel.Warning, "Could not check the Lease permissions in namespace {Namespace} ({Reason}); leader election will find out")]
        public static partial void PermissionUnchecked(ILogger logger, string @namespace, string reason);
    }
}
