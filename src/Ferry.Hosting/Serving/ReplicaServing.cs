using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Text;
using Ferry.Announcement;
using Ferry.Contracts;
using Ferry.Contracts.Announcement;
using Ferry.Controller;
using Ferry.Controller.Informers;
using Ferry.Controller.KubernetesApi;
using Ferry.Controller.Pools;
using Ferry.Controller.Serving;
using Ferry.DataPlane.Health;
using Ferry.Ipam;
using Ferry.Membership;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting.Serving;

/// <summary>
/// The part of a <c>ferry run</c> replica that every replica runs, leader or not: it finds the other
/// replicas (<see cref="ReplicaDirectory"/>), keeps heartbeating them (<see cref="HeartbeatMembership"/>),
/// and serves and announces the addresses it owns (<see cref="ServingController"/> over the L2
/// <see cref="LinuxAddressAnnouncer"/>) on the replica's data plane.
/// </summary>
public sealed partial class ReplicaServing : IAsyncDisposable
{
    /// <summary>How long a clean stop waits for the serving controller to fall silent before it leaves anyway.</summary>
    private static readonly TimeSpan _leaveSilenceTimeout = TimeSpan.FromSeconds(1);

    private readonly ReplicaServingOptions _options;
    private readonly HeartbeatMembership _membership;
    private readonly LinuxAddressAnnouncer _announcer;
    private readonly ReplicaDirectory _directory;
    private readonly KubernetesEventRecorder _events;
    private readonly ServingMetrics? _metrics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILoadBalancerProvider _provider;
    private readonly ILogger _logger;
    private readonly AnnouncedAddresses _announced;
    private readonly ControllerOptions _controller;
    private readonly NodeLocalChecks _localChecks;
    private ServingController? _serving;
    private readonly HashSet<string> _reportedDigests = new(StringComparer.Ordinal);
    private int _left;
    private readonly System.Threading.Channels.Channel<bool> _poolsChanged = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ReplicaServing(IKubernetes client, ReplicaServingOptions options, IReadOnlyList<AddressPool> pools, ControllerOptions controller, ILoadBalancerProvider provider, ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(ReplicaServingOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        _options = options;
        _controller = controller;
        _provider = provider;
        _loggerFactory = loggerFactory;
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger<ReplicaServing>();
        _announced = new AnnouncedAddresses(pools, options.Announcements);
        ConfigDigest = DigestOf(pools, options.Announcements);
        var membershipOptions = new MembershipOptions(options.NodeName, options.HeartbeatListen)
        {
            HeartbeatInterval = options.HeartbeatInterval,
            ConfigDigest = ConfigDigest,
            SharedKey = options.HeartbeatKey,
        };
        if (options.FailureTimeout is { } timeout)
        {
            membershipOptions = membershipOptions with { FailureTimeout = timeout };
        }

        _membership = new HeartbeatMembership(membershipOptions, timeProvider, loggerFactory.CreateLogger<HeartbeatMembership>(), meterFactory);
        _announcer = new LinuxAddressAnnouncer(new AnnouncerOptions { DeviceName = options.DeviceName }, timeProvider, loggerFactory.CreateLogger<LinuxAddressAnnouncer>());
        _directory = new ReplicaDirectory(
            client,
            new ReplicaDirectoryOptions
            {
                Namespace = options.LeaseNamespace,
                Self = new ReplicaRecord(options.NodeName, FormatEndpoint(options.HeartbeatListen), ConfigDigest, LocalHardwareAddresses()),
                RenewInterval = options.DirectoryRenewInterval,
            },
            timeProvider,
            loggerFactory.CreateLogger<ReplicaDirectory>());
        _events = new KubernetesEventRecorder(client, timeProvider, loggerFactory.CreateLogger<KubernetesEventRecorder>(), options.NodeName, ServingEvents.Component);
        _metrics = meterFactory is null ? null : new ServingMetrics(meterFactory);
        var informers = controller.Informers;
        Informers = new ClusterInformers(client, informers, timeProvider, loggerFactory);
        _localChecks = new NodeLocalChecks(new ActiveHealthMonitorFactory(loggerFactory, timeProvider), controller.Translation);
        PoolObjects = new PoolObjects(client, pools, options.Announcements, informers, options.AbsentResourceRetry, timeProvider, loggerFactory);
        PoolObjects.Changed += () => _poolsChanged.Writer.TryWrite(true);
    }

    /// <summary>
    /// The pool informers (AddressPool objects, MetalLB's kinds): this replica announces by them, and the leader's
    /// controller allocates from the same caches.
    /// </summary>
    public PoolObjects PoolObjects { get; }

    /// <summary>
    /// The Services, Nodes and EndpointSlices informers, run by this replica for its whole life (<see cref="RunAsync"/>):
    /// the leader's controller reads the same caches (so each resource is watched once).
    /// </summary>
    public ClusterInformers Informers { get; }

    /// <summary>A digest of the pools and their announcement: replicas that differ would disagree on owners.</summary>
    public string ConfigDigest { get; }

    /// <summary>The serving controller (after <see cref="StartAsync"/>).</summary>
    public ServingController? Controller => _serving;

    /// <summary>The replicas alive now, this one included.</summary>
    public IReadOnlyCollection<string> Live => _membership.Current.Live;

    /// <summary>The live replicas ready to own addresses, this one included once its serving controller is.</summary>
    public IReadOnlyCollection<string> Candidates => _membership.Current.Candidates;

    /// <summary>Where heartbeats are heard (the bound port when 0 was asked for).</summary>
    public IPEndPoint HeartbeatEndpoint => _membership.LocalEndpoint;

    /// <summary>True for a Service whose addresses are all announced: served by their owners, not by the leader.</summary>
    public bool IsAnnouncedService(IReadOnlyCollection<IPAddress> addresses) => addresses.Count > 0 && addresses.All(_announced.IsAnnounced);

    /// <summary>True for a load balancer this replica runs as an address owner.</summary>
    public bool Serves(LoadBalancerKey key) => _serving?.Serves(key) == true;

    /// <summary>
    /// Binds the heartbeat socket and prepares the announcer (its device, with the addresses an earlier
    /// run left removed). An announcer that cannot start (no CAP_NET_ADMIN) is logged; this replica then
    /// owns addresses it cannot claim, which its Events say, and the others go on serving theirs.
    /// </summary>
    /// <exception cref="IOException">The heartbeat address cannot be bound.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _membership.StartAsync(cancellationToken);
        string? unavailable = null;
        try
        {
            var start = await _announcer.StartAsync(cancellationToken);
            if (start.RemovedStale.Count > 0)
            {
                Log.RemovedStale(_logger, _options.DeviceName, start.RemovedStale);
            }
        }
        catch (AnnouncementException ex)
        {
            unavailable = ex.Message;
            Log.AnnouncerUnavailable(_logger, ex.Message);
        }

        _serving = new ServingController(
            Informers.Services,
            Informers.Nodes,
            Informers.Slices,
            new ServingOptions { Classes = _controller.Classes, Translation = _controller.Translation, ChooseOwner = RendezvousHashing.Owner },
            _announced,
            new MembershipPort(_membership, _options.NodeName),
            new AnnouncerPort(_announcer, unavailable),
            _directory.IsPeerHardwareAddress,
            _provider,
            _events,
            _time,
            _loggerFactory.CreateLogger<ServingController>(),
            _metrics,
            _localChecks,
            informersRunElsewhere: true);
        _directory.PeersChanged += SetPeers;
        _membership.Changed += ReportDigestMismatch;
        _membership.Changed += ListUndiscoveredPeers;
        _directory.ListAgainWhile = () => _membership.Current.Peers.Any(p => p.Alive && !p.Discovered);
    }

    /// <summary>A replica heard but not listed yet (it started after the last listing): list now, not at the next renewal.</summary>
    private void ListUndiscoveredPeers(MembershipView view)
    {
        if (view.Peers.Any(p => p.Alive && !p.Discovered))
        {
            _directory.ListSoon();
        }
    }

    /// <summary>Discovers peers and serves the owned addresses until cancelled; then releases every address.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var serving = _serving ?? throw new InvalidOperationException("StartAsync first");
        var pools = PoolObjects.RunAsync(cancellationToken);
        var informers = Informers.RunAsync(cancellationToken);
        try
        {
            // The addresses the objects announce are known before the first plan (bounded: the seed serves meanwhile).
            await PoolObjects.WaitForSyncAsync(TimeSpan.FromSeconds(10), cancellationToken);
            ApplyPools();
            await Task.WhenAll(_directory.RunAsync(cancellationToken), serving.RunAsync(cancellationToken), FollowPoolsAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await pools.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await informers.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Announces by the pools as their objects change, until cancelled.</summary>
    private async Task FollowPoolsAsync(CancellationToken cancellationToken)
    {
        while (await _poolsChanged.Reader.WaitToReadAsync(cancellationToken))
        {
            _poolsChanged.Reader.TryRead(out _);
            ApplyPools();
        }
    }

    private void ApplyPools()
    {
        var set = PoolObjects.Build();
        if (_announced.Update(set.Pools, set.Announcements))
        {
            Log.AnnouncedPoolsChanged(_logger, set.Pools.Zip(set.Announcements).Count(p => p.Second.IsAnnounced));
            _serving?.Resync();
        }
    }

    /// <summary>
    /// A clean stop, first step: stop answering for this replica's addresses (they stay served for the
    /// drain), then tell the other replicas, so they take the addresses over at once. In that order the new
    /// owners' announcements are the last word on the LAN.
    /// </summary>
    public async Task LeaveAsync()
    {
        if (Interlocked.Exchange(ref _left, 1) == 0)
        {
            if (_serving is { } serving)
            {
                await serving.FallSilentAsync(_leaveSilenceTimeout);
            }

            await _membership.LeaveAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _directory.PeersChanged -= SetPeers;
        _membership.Changed -= ReportDigestMismatch;
        _membership.Changed -= ListUndiscoveredPeers;
        if (Volatile.Read(ref _left) == 1)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _directory.WithdrawAsync(timeout.Token);
        }

        await _localChecks.DisposeAsync();
        await _announcer.DisposeAsync();
        await _membership.DisposeAsync();
        await _events.DisposeAsync();
        _metrics?.Dispose();
    }

    private static string DigestOf(IReadOnlyList<AddressPool> pools, IReadOnlyList<PoolAnnouncement> announcements)
    {
        var text = new StringBuilder();
        foreach (var pool in pools)
        {
            var announcement = announcements.FirstOrDefault(a => a.Pool == pool.Name) ?? PoolAnnouncement.NotAnnounced(pool.Name);
            text.Append(CultureInfo.InvariantCulture, $"{pool.Name}|{string.Join(',', pool.Ranges)}|{announcement.Mode}|{string.Join(',', announcement.Interfaces)}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static string FormatEndpoint(IPEndPoint endpoint) => endpoint.ToString();

    private static List<string> LocalHardwareAddresses() =>
        [.. NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .Select(i => i.GetPhysicalAddress().GetAddressBytes())
            .Where(b => b.Length == 6 && b.Any(x => x != 0))
            .Select(b => string.Join(':', b.Select(x => x.ToString("x2", CultureInfo.InvariantCulture))))
            .Distinct()];

    private void SetPeers(IReadOnlyList<ReplicaRecord> peers)
    {
        var addresses = new List<PeerAddress>();
        foreach (var peer in peers)
        {
            if (IPEndPoint.TryParse(peer.HeartbeatEndpoint, out var endpoint))
            {
                addresses.Add(new PeerAddress(peer.Name, endpoint));
            }
            else
            {
                Log.BadPeerEndpoint(_logger, peer.Name, peer.HeartbeatEndpoint);
            }
        }

        _membership.SetPeers(addresses);
    }

    private void ReportDigestMismatch(MembershipView view)
    {
        foreach (var peer in view.Peers.Where(p => p.Alive && p.ConfigDigest is { Length: > 0 } d && d != ConfigDigest))
        {
            // Once per peer and digest, not at every membership change.
            bool first;
            lock (_reportedDigests)
            {
                first = _reportedDigests.Add($"{peer.Name}/{peer.ConfigDigest}");
            }

            if (first)
            {
                Log.DigestMismatch(_logger, peer.Name, peer.ConfigDigest!, ConfigDigest);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5300, LogLevel.Information, "Removed addresses an earlier run left on {Device}: {Addresses}")]
        public static partial void RemovedStale(ILogger logger, string device, IReadOnlyList<IPAddress> addresses);

        [LoggerMessage(5301, LogLevel.Error, "This replica cannot announce addresses (it still serves what the leader programs and heartbeats the others): {Reason}")]
        public static partial void AnnouncerUnavailable(ILogger logger, string reason);

        [LoggerMessage(5304, LogLevel.Information, "The announced pools changed: {Count} pools announced")]
        public static partial void AnnouncedPoolsChanged(ILogger logger, int count);

        [LoggerMessage(5302, LogLevel.Warning, "Replica {Peer} publishes an unusable heartbeat endpoint \"{Endpoint}\"; not heartbeating it")]
        public static partial void BadPeerEndpoint(ILogger logger, string peer, string endpoint);

        [LoggerMessage(5303, LogLevel.Warning, "Replica {Peer} runs with different pools (digest {Theirs}, ours {Ours}): the replicas may disagree on who owns an address; give every replica the same pools file")]
        public static partial void DigestMismatch(ILogger logger, string peer, string theirs, string ours);
    }
}
