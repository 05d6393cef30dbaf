using System.Collections.Immutable;
using System.Net;
using System.Threading.Channels;
using Ferry.Contracts;
using Ferry.Controller.Informers;
using Ferry.Controller.KubernetesApi;
using Ferry.Controller.Predicates;
using Ferry.Controller.Reconciliation;
using Ferry.Controller.Translation;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Serving;

/// <summary>
/// Runs on every replica: serves the announced addresses this replica owns. It watches the same
/// Services, Nodes and EndpointSlices as the controller, computes who owns each announced address
/// (<see cref="ServingPlanner"/>, from the replicas alive now), claims its own on the LAN
/// (<see cref="IAddressClaims"/>), programs the data plane for them and gives up the rest.
/// </summary>
/// <remarks>
/// It writes nothing but Events: addresses are assigned by the leader's controller (IPAM, finalizer,
/// status); a replica only reads them from <c>status.loadBalancer.ingress</c>. So it is statically
/// stable: while the API server is away its caches keep the last state and the membership between
/// replicas still moves addresses off dead replicas. The order of a change keeps traffic safe: an
/// address is made local (silently) before a listener binds it and announced only once the listener is
/// bound, so clients that move on the announcement find it ready; listeners on it close before it is released.
/// An address handed to another live replica (a new owner, or this replica stopping) drains first: this
/// replica stops answering for it at once, so the new owner's announcements are the only ones on the
/// LAN, but keeps it local and served for <see cref="ServingOptions.HandoverDrain"/>, so clients whose
/// neighbour entry still points here lose no connection while they move.
/// A Service served here is one whose addresses are all in announced pools; the leader serves the rest
/// (docs/running-in-a-cluster.md, "Announcing addresses").
/// </remarks>
public sealed partial class ServingController
{
    private readonly ResourceInformer<V1Service> _services;
    private readonly ResourceInformer<V1Node> _nodes;
    private readonly ResourceInformer<V1EndpointSlice> _slices;
    private readonly ServingOptions _options;
    private readonly AnnouncedAddresses _announced;
    private readonly IReplicaMembership _membership;
    private readonly IAddressClaims _claims;
    private readonly Func<string, bool> _isPeerHardwareAddress;
    private readonly ILoadBalancerProvider _provider;
    private readonly IEventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ServingMetrics? _metrics;
    private readonly INodeLocalChecks? _localChecks;
    private readonly bool _informersRunElsewhere;
    /// <summary>How often an unsettled membership is looked at again (it settles within a failure timeout).</summary>
    private static readonly TimeSpan _settlePoll = TimeSpan.FromMilliseconds(50);

    private readonly ServicePredicates _predicates;
    private readonly ServiceTranslator _translator;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<IPAddress, IReadOnlyList<string>> _claimed = [];
    /// <summary>Addresses not claimed: when, and the MAC that answered the probe (null for a failure).</summary>
    private readonly Dictionary<IPAddress, (DateTimeOffset At, string? HardwareAddress)> _refused = [];
    /// <summary>Addresses handed to another replica and still served here until the time given (silent: not answered for).</summary>
    private readonly Dictionary<IPAddress, DateTimeOffset> _draining = [];
    /// <summary>Claimed addresses that are local but not yet answered for nor announced (their listeners bind first).</summary>
    private readonly HashSet<IPAddress> _unannounced = [];
    private readonly Dictionary<ServiceKey, LoadBalancerSpec> _served = [];
    private readonly TaskCompletionSource _silent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _leaving;
    private IPAddress[] _owned = [];
    private HashSet<string>? _lastLive;
    private List<string> _failingHere = [];
    private List<string> _withdrawn = [];
    /// <summary>Addresses this replica owned and found in use by another host on the LAN (told to the peers: a handover from here is probed).</summary>
    private readonly HashSet<IPAddress> _conflicted = [];
    /// <summary>Per address in the plan: its owner and since when (a just-made owner may still be probing).</summary>
    private readonly Dictionary<IPAddress, (string? Owner, DateTimeOffset Since)> _ownerSince = [];
    private volatile ImmutableHashSet<LoadBalancerKey> _servedKeys = [];
    private ServingPlan _plan = ServingPlan.Empty;

    public ServingController(
        ResourceInformer<V1Service> services,
        ResourceInformer<V1Node> nodes,
        ResourceInformer<V1EndpointSlice> slices,
        ServingOptions options,
        AnnouncedAddresses announced,
        IReplicaMembership membership,
        IAddressClaims claims,
        Func<string, bool> isPeerHardwareAddress,
        ILoadBalancerProvider provider,
        IEventRecorder events,
        TimeProvider timeProvider,
        ILogger<ServingController> logger,
        ServingMetrics? metrics = null,
        INodeLocalChecks? localChecks = null,
        bool informersRunElsewhere = false)
    {
        _informersRunElsewhere = informersRunElsewhere;
        _services = services;
        _nodes = nodes;
        _slices = slices;
        _options = options;
        _announced = announced;
        _membership = membership;
        _claims = claims;
        _isPeerHardwareAddress = isPeerHardwareAddress;
        _provider = provider;
        _events = events;
        _time = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _localChecks = localChecks;
        _predicates = new ServicePredicates(options.Classes);
        _translator = new ServiceTranslator(options.Translation);
        _services.OnChange(_ => Signal());
        _nodes.OnChange(_ => Signal());
        _slices.OnChange(_ => Signal());
        if (localChecks is not null)
        {
            localChecks.Changed += Signal;
        }

        metrics?.Attach(() => Volatile.Read(ref _owned).Length);
    }

    /// <summary>The addresses this replica announces and serves now.</summary>
    public IReadOnlyList<IPAddress> Owned => Volatile.Read(ref _owned);

    /// <summary>True once the caches are filled and the first plan applied.</summary>
    public bool IsReady { get; private set; }

    /// <summary>The last plan: every announced address and its owner.</summary>
    public ServingPlan Plan => Volatile.Read(ref _plan);

    /// <summary>How many plans were applied (for tests and logs).</summary>
    public long Syncs { get; private set; }

    /// <summary>True when the load balancer is this replica's to serve (the leader's controller leaves it alone).</summary>
    public bool Serves(LoadBalancerKey key) => _servedKeys.Contains(key);

    /// <summary>True when a Service with these addresses is served by the replicas that own them rather than by the leader.</summary>
    public bool IsAnnouncedService(IReadOnlyCollection<IPAddress> addresses) => addresses.Count > 0 && addresses.All(_announced.IsAnnounced);

    /// <summary>
    /// The first step of a clean stop, before this replica tells its peers it leaves: from now on it plans
    /// as if it were gone, so it stops answering for every address it owns (each drains, still served, see
    /// <see cref="ServingOptions.HandoverDrain"/>). Returns once that is done, or after <paramref name="timeout"/>.
    /// </summary>
    public async Task FallSilentAsync(TimeSpan timeout)
    {
        _leaving = true;
        Signal();
        try
        {
            await _silent.Task.WaitAsync(timeout, _time);
        }
        catch (TimeoutException)
        {
            Log.NotSilentInTime(_logger, timeout.TotalMilliseconds);
        }
    }

    /// <summary>Runs the informers (unless they run elsewhere) and applies a new plan on every change until cancelled; then releases everything it claimed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _membership.Changed += Signal;
        Task[] informers = _informersRunElsewhere
            ? []
            : [_services.RunAsync(cancellationToken), _nodes.RunAsync(cancellationToken), _slices.RunAsync(cancellationToken)];
        try
        {
            await Task.WhenAll(_services.WaitForSyncAsync(cancellationToken), _nodes.WaitForSyncAsync(cancellationToken), _slices.WaitForSyncAsync(cancellationToken));
            while (!cancellationToken.IsCancellationRequested)
            {
                if (_membership.IsSettled)
                {
                    // Caches filled, peers heard: the others may give this replica its share from its next heartbeat.
                    _membership.MarkReady();
                    await SyncAsync(cancellationToken);
                    IsReady = true;
                }
                else if (_leaving)
                {
                    // Nothing was claimed before the membership settled: silent already.
                    _silent.TrySetResult();
                }

                using var resync = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                resync.CancelAfter(NextWake());
                try
                {
                    await _signal.Reader.ReadAsync(resync.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _membership.Changed -= Signal;
            _silent.TrySetResult();
            await ReleaseAllAsync();
            await Task.WhenAll(informers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Computes the plan from the caches and the live replicas and applies this replica's part of it.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var self = _membership.Self;
        var nodes = _nodes.List();
        var eligibleNodes = nodes.Where(NodePredicates.IsEligible).ToList();
        var excluded = nodes.Where(n => !NodePredicates.IsEligible(n)).Select(n => n.Metadata?.Name ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        var services = _services.List()
            .Where(s => s.Metadata?.DeletionTimestamp is null && _predicates.WantsLoadBalancer(s))
            .Select(s => (Service: s, Addresses: AllocationRequests.StatusAddresses(s)))
            .Where(s => IsAnnouncedService(s.Addresses))
            .ToDictionary(s => ServiceKeys.Of(s.Service));
        var localNodes = LocalEndpointNodes(services.Where(s => IsLocalPolicy(s.Value.Service)).Select(s => s.Key));
        var checkedHere = CheckLocalTraffic(services, localNodes, nodes, self);
        var served = services.Select(s => new ServedService(s.Key, s.Value.Addresses, EligibleFor(s.Key, s.Value.Service, localNodes, checkedHere))).ToList();
        var leaving = _leaving;
        var candidates = _membership.Candidates;
        IReadOnlyCollection<string> live = leaving ? [.. candidates.Where(r => r != self)] : candidates;
        var plan = ServingPlanner.Plan(served, _announced, live, excluded, _options.ChooseOwner);

        var previous = Plan;

        var planned = _time.GetUtcNow();
        var tenure = _ownerSince.ToDictionary(o => o.Key, o => (o.Value.Owner, Held: planned - o.Value.Since));
        Volatile.Write(ref _plan, plan);
        TrackOwners(plan, planned);
        var mine = plan.OwnedBy(self).ToDictionary(a => a.Address);

        var newlyClaimed = await ClaimAsync(mine, previous, tenure, cancellationToken);
        PublishWithdrawn();
        var keep = _claimed.Keys.Where(mine.ContainsKey).ToHashSet();
        var releaseNow = new List<IPAddress>();
        foreach (var address in _claimed.Keys.Where(a => !keep.Contains(a)).ToList())
        {
            if (plan.OwnerOf(address) is { } successor && successor != self && _options.HandoverDrain > TimeSpan.Zero)
            {
                await DrainAsync(address, successor, cancellationToken);
            }
            else
            {
                releaseNow.Add(address);
            }
        }

        var now = _time.GetUtcNow();
        var drained = _draining.Where(d => d.Value <= now).Select(d => d.Key).ToList();
        var serving = keep.Concat(_draining.Keys.Except(drained)).ToHashSet();
        await ProgramAsync(services, serving, eligibleNodes, cancellationToken);
        await AnnounceAsync(mine, cancellationToken);
        await AnnounceAgainIfJoinedAsync(live, keep.Except(newlyClaimed), cancellationToken);
        foreach (var address in releaseNow)
        {
            await ReleaseAsync(address, plan.OwnerOf(address), cancellationToken);
        }

        foreach (var address in drained)
        {
            _draining.Remove(address);
            await ReleaseAsync(address, plan.OwnerOf(address), cancellationToken);
        }

        Volatile.Write(ref _owned, [.. _claimed.Keys.OrderBy(a => a.ToString(), StringComparer.Ordinal)]);
        foreach (var address in newlyClaimed)
        {
            foreach (var key in mine[address].Services)
            {
                if (services.TryGetValue(key, out var s))
                {
                    _events.Record(s.Service, "Normal", ServingEvents.NodeAssigned, ServingEvents.NodeAssignedMessage(self));
                }
            }
        }

        Syncs++;
        if (leaving)
        {
            _silent.TrySetResult();
        }
    }

    /// <summary>Plans again soon (the announced pools changed).</summary>
    public void Resync() => Signal();

    private void Signal() => _signal.Writer.TryWrite(true);

    /// <summary>Ensures a load balancer for every Service with an address claimed here, on those addresses only; deletes the rest.</summary>
    private async Task ProgramAsync(
        Dictionary<ServiceKey, (V1Service Service, ImmutableArray<IPAddress> Addresses)> services,
        HashSet<IPAddress> serving,
        List<V1Node> eligibleNodes,
        CancellationToken cancellationToken)
    {
        var wanted = new HashSet<ServiceKey>();
        foreach (var (key, (service, statusAddresses)) in services)
        {
            var addresses = statusAddresses.Distinct().Where(serving.Contains).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
            if (addresses.Count == 0)
            {
                continue;
            }

            var mode = _translator.TargetsFor(service);
            var slices = mode == TargetMode.Endpoints ? _slices.List().Where(s => ServiceKeys.OwnerOf(s) == key).ToList() : [];
            var translation = _translator.Translate(service, mode, addresses, eligibleNodes, slices);
            if (!translation.Succeeded)
            {
                // The leader's controller reports this on the Service (SyncLoadBalancerFailed).
                Log.NotTranslated(_logger, key, translation.Errors);
                continue;
            }

            wanted.Add(key);
            if (_served.TryGetValue(key, out var current) && current == translation.Spec)
            {
                continue;
            }

            try
            {
                var status = await _provider.EnsureAsync(translation.Spec!, cancellationToken);
                _served[key] = translation.Spec!;
                if (!status.IsFullyServing)
                {
                    Log.NotFullyServing(_logger, key, status.Listeners.Where(l => !l.IsServing).Select(l => $"{l.Address} {l.Port}: {l.Error}"));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.EnsureFailed(_logger, key.ToString(), ex.Message);
            }
        }

        _servedKeys = [.. _served.Keys.Concat(wanted).Select(k => k.LoadBalancer)];
        foreach (var key in _served.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            await DeleteAsync(key, cancellationToken);
        }

        _servedKeys = [.. _served.Keys.Select(k => k.LoadBalancer)];
    }

    private async Task DeleteAsync(ServiceKey key, CancellationToken cancellationToken)
    {
        try
        {
            await _provider.EnsureDeletedAsync(key.LoadBalancer, cancellationToken);
            _served.Remove(key);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.EnsureFailed(_logger, key.ToString(), ex.Message);
        }
    }

    private async Task ReleaseAsync(IPAddress address, string? newOwner, CancellationToken cancellationToken)
    {
        try
        {
            await _claims.ReleaseAsync(address, cancellationToken);
            _claimed.Remove(address);
            _unannounced.Remove(address);
            _metrics?.Released();
            Log.Released(_logger, address, newOwner ?? "nobody (no live replica is eligible)");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReleaseFailed(_logger, address.ToString(), ex.Message);
        }
    }

    /// <summary>
    /// On stop: with another replica alive, stop answering for every address and keep serving them for the
    /// drain while the others take them over (they heard this replica leave); then close this replica's
    /// listeners, then release the addresses.
    /// </summary>
    private async Task ReleaseAllAsync()
    {
        var successors = _membership.Candidates.Any(r => r != _membership.Self);
        if (successors && _options.HandoverDrain > TimeSpan.Zero)
        {
            foreach (var address in _claimed.Keys.ToList())
            {
                await DrainAsync(address, "another replica (this one stops)", CancellationToken.None);
            }
        }

        // A drain already begun (FallSilentAsync on a clean stop) is honoured even if the peers look gone by
        // now (late heartbeats on a loaded machine): clients still sending here are served until it ends.
        if (_draining.Count > 0)
        {
            var until = _draining.Values.Max();
            Volatile.Write(ref _owned, []);
            var wait = until - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, CancellationToken.None);
            }
        }

        foreach (var key in _served.Keys.ToList())
        {
            await DeleteAsync(key, CancellationToken.None);
        }

        foreach (var address in _claimed.Keys.Concat(_draining.Keys).ToList())
        {
            await ReleaseAsync(address, "another replica (this one stops)", CancellationToken.None);
        }

        _draining.Clear();

        Volatile.Write(ref _owned, []);
        _servedKeys = [];
    }

    private void RecordFor(AddressAssignment assignment, string type, string reason, string message)
    {
        foreach (var key in assignment.Services)
        {
            if (_services.Get(ObjectKeys.For(key.Namespace, key.Name)) is { } service)
            {
                _events.Record(service, type, reason, message);
            }
        }
    }
}
