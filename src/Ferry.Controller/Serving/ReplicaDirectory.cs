using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Serving;

/// <summary>
/// Replica discovery through the API server: each replica holds a <c>coordination.k8s.io/v1</c> Lease
/// named <c>ferry-replica-&lt;node&gt;</c>, renewed every 10 s (its one write per 10 s), which says
/// where it hears heartbeats; it lists the others' Leases to know whom to heartbeat.
/// </summary>
/// <remarks>
/// Discovery only: whether a replica is alive is decided by the heartbeats between replicas
/// (<see cref="IReplicaMembership"/>), in well under a second and without the API server. When the API
/// server is away the last list stays in force, so the replicas go on heartbeating each other.
/// </remarks>
public sealed partial class ReplicaDirectory
{
    public const string LeasePrefix = "ferry-replica-";
    public const string RoleLabel = "ferry.dev/role";
    public const string RoleValue = "replica";
    public const string HeartbeatAnnotation = "ferry.dev/heartbeat-endpoint";
    public const string ConfigDigestAnnotation = "ferry.dev/config-digest";
    public const string HardwareAddressesAnnotation = "ferry.dev/hardware-addresses";

    private readonly IKubernetes _client;
    private readonly ReplicaDirectoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile IReadOnlyList<ReplicaRecord> _peers = [];
    private volatile HashSet<string> _peerHardware = new(StringComparer.OrdinalIgnoreCase);
    private string? _lastProblem;
    private bool _listed;

    private readonly System.Threading.Channels.Channel<bool> _listSoon = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

    public ReplicaDirectory(IKubernetes client, ReplicaDirectoryOptions options, TimeProvider timeProvider, ILogger<ReplicaDirectory> logger)
    {
        _client = client;
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The other replicas, as last listed.</summary>
    public IReadOnlyList<ReplicaRecord> Peers => _peers;

    /// <summary>Raised (off the caller's thread) when the list of other replicas changed.</summary>
    public event Action<IReadOnlyList<ReplicaRecord>>? PeersChanged;

    public string LeaseName => LeaseNameOf(_options.Self.Name);

    public static string LeaseNameOf(string replica) => LeasePrefix + replica;

    /// <summary>True when the MAC belongs to another replica (an answer from it is no conflict).</summary>
    public bool IsPeerHardwareAddress(string hardwareAddress) => _peerHardware.Contains(hardwareAddress);

    /// <summary>
    /// Lists the other replicas again soon (at most once a second), without renewing: the membership heard a
    /// replica discovery has not listed, so its Lease (and its MACs: a probe it answers is then a handover, not
    /// another host) is probably there now rather than at the next renewal.
    /// </summary>
    public void ListSoon() => _listSoon.Writer.TryWrite(true);

    /// <summary>After a listing <see cref="ListSoon"/> asked for, asked whether to list again (a second later): true while a heard replica is still not listed.</summary>
    public Func<bool>? ListAgainWhile { get; set; }

    /// <summary>Renews this replica's Lease and lists the others every <see cref="ReplicaDirectoryOptions.RenewInterval"/> (and on <see cref="ListSoon"/>) until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await RefreshAsync(cancellationToken);
                var renewAt = _time.GetUtcNow() + _options.RenewInterval;
                while (_time.GetUtcNow() < renewAt)
                {
                    using var untilRenewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    untilRenewal.CancelAfter(renewAt - _time.GetUtcNow());
                    try
                    {
                        await _listSoon.Reader.ReadAsync(untilRenewal.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    await ListAsync(cancellationToken);
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
                    if (ListAgainWhile?.Invoke() == true)
                    {
                        ListSoon();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: renew, then list. A failure keeps the last list and is logged once per distinct message.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RenewAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(ex);
            return;
        }

        await ListAsync(cancellationToken);
    }

    private void Failed(Exception ex)
    {
        if (ex.Message != _lastProblem)
        {
            _lastProblem = ex.Message;
            Log.RefreshFailed(_logger, _options.Namespace, ex.Message);
        }
    }

    /// <summary>Lists the other replicas' Leases; a failure keeps the last list.</summary>
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            var list = await _client.CoordinationV1.ListNamespacedLeaseAsync(_options.Namespace, labelSelector: $"{RoleLabel}={RoleValue}", cancellationToken: cancellationToken);
            var now = _time.GetUtcNow();
            var peers = list.Items
                .Where(l => l.Spec?.HolderIdentity is { Length: > 0 } holder && holder != _options.Self.Name)
                .Where(l => l.Spec?.RenewTime is not { } renewed || now - new DateTimeOffset(DateTime.SpecifyKind(renewed, DateTimeKind.Utc)) < _options.ForgetAfter)
                .Select(ToRecord)
                .OfType<ReplicaRecord>()
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .ToList();
            if (_lastProblem is not null)
            {
                Log.Recovered(_logger);
                _lastProblem = null;
            }

            if (!_listed || !peers.SequenceEqual(_peers, RecordComparer.Instance))
            {
                _listed = true;
                _peers = peers;
                _peerHardware = new HashSet<string>(peers.SelectMany(p => p.HardwareAddresses), StringComparer.OrdinalIgnoreCase);
                var described = string.Join(", ", peers.Select(p => $"{p.Name} ({p.HeartbeatEndpoint})"));
                Log.PeersListed(_logger, peers.Count, described);
                PeersChanged?.Invoke(peers);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(ex);
        }
    }

    /// <summary>Deletes this replica's Lease (a clean stop); failures are logged only.</summary>
    public async Task WithdrawAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoordinationV1.DeleteNamespacedLeaseAsync(LeaseName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.WithdrawFailed(_logger, LeaseName, ex.Message);
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var self = _options.Self;
        var now = _time.GetUtcNow().UtcDateTime;
        var annotations = new Dictionary<string, string>
        {
            [HeartbeatAnnotation] = self.HeartbeatEndpoint,
            [ConfigDigestAnnotation] = self.ConfigDigest,
            [HardwareAddressesAnnotation] = string.Join(",", self.HardwareAddresses),
        };
        V1Lease? current = null;
        try
        {
            current = await _client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, _options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }

        var durationSeconds = (int)Math.Ceiling(_options.ForgetAfter.TotalSeconds);
        if (current is null)
        {
            await _client.CoordinationV1.CreateNamespacedLeaseAsync(
                new V1Lease
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = LeaseName,
                        NamespaceProperty = _options.Namespace,
                        Labels = new Dictionary<string, string> { [RoleLabel] = RoleValue, ["app.kubernetes.io/name"] = "ferry" },
                        Annotations = annotations,
                    },
                    Spec = new V1LeaseSpec { HolderIdentity = self.Name, LeaseDurationSeconds = durationSeconds, AcquireTime = now, RenewTime = now },
                },
                _options.Namespace,
                cancellationToken: cancellationToken);
            Log.Published(_logger, LeaseName, _options.Namespace, self.HeartbeatEndpoint);
            return;
        }

        current.Metadata.Annotations ??= new Dictionary<string, string>();
        foreach (var (key, value) in annotations)
        {
            current.Metadata.Annotations[key] = value;
        }

        current.Metadata.Labels ??= new Dictionary<string, string>();
        current.Metadata.Labels[RoleLabel] = RoleValue;
        current.Spec ??= new V1LeaseSpec();
        current.Spec.HolderIdentity = self.Name;
        current.Spec.LeaseDurationSeconds = durationSeconds;
        current.Spec.RenewTime = now;
        await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, LeaseName, _options.Namespace, cancellationToken: cancellationToken);
    }

    private static ReplicaRecord? ToRecord(V1Lease lease)
    {
        var annotations = lease.Metadata?.Annotations;
        if (annotations is null || !annotations.TryGetValue(HeartbeatAnnotation, out var endpoint) || endpoint.Length == 0)
        {
            return null;
        }

        return new ReplicaRecord(
            lease.Spec!.HolderIdentity!,
            endpoint,
            annotations.TryGetValue(ConfigDigestAnnotation, out var digest) ? digest : string.Empty,
            annotations.TryGetValue(HardwareAddressesAnnotation, out var macs) ? [.. macs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : []);
    }

    private sealed class RecordComparer : IEqualityComparer<ReplicaRecord>
    {
        public static readonly RecordComparer Instance = new();

        public bool Equals(ReplicaRecord? x, ReplicaRecord? y) =>
            x is not null && y is not null && x.Name == y.Name && x.HeartbeatEndpoint == y.HeartbeatEndpoint
            && x.ConfigDigest == y.ConfigDigest && x.HardwareAddresses.SequenceEqual(y.HardwareAddresses);

        public int GetHashCode(ReplicaRecord obj) => StringComparer.Ordinal.GetHashCode(obj.Name);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Published replica Lease {Lease} in namespace {Namespace}: heartbeats on {Endpoint}")]
        public static partial void Published(ILogger logger, string lease, string @namespace, string endpoint);

        [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Other replicas ({Count}): {Peers}")]
        public static partial void PeersListed(ILogger logger, int count, string peers);

        [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "Could not renew this replica's Lease or list the others in namespace {Namespace} (keeping the last list; heartbeats go on): {Error}")]
        public static partial void RefreshFailed(ILogger logger, string @namespace, string error);

        [LoggerMessage(EventId = 2603, Level = LogLevel.Information, Message = "Replica Leases reachable again")]
        public static partial void Recovered(ILogger logger);

        [LoggerMessage(EventId = 2604, Level = LogLevel.Warning, Message = "Could not delete replica Lease {Lease}: {Error}")]
        public static partial void WithdrawFailed(ILogger logger, string lease, string error);
    }
}
