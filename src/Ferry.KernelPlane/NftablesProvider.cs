using System.Collections.Immutable;
using Ferry.Contracts;
using Ferry.DataPlane;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.Stats;
using Ferry.KernelPlane.Conntrack;
using Ferry.KernelPlane.Ruleset;
using Ferry.KernelPlane.Stats;
using Microsoft.Extensions.Logging;

namespace Ferry.KernelPlane;

/// <summary>
/// The kernel data plane (<see cref="IDataPlane"/> named <c>kernel</c>): load balancers as Ferry's nftables table.
/// Every change renders the whole desired state (<see cref="FerryTable"/>) and applies it as one transaction; a change
/// nft refuses changes nothing, and the load balancer's status says why. Changes, health-driven re-renders and drain
/// ends are serialized. See docs/design/0006-kernel-data-plane.md.
/// </summary>
/// <remarks>
/// <para>
/// Health: each listener has a <see cref="DataPlane.Backends.BackendPool"/> and, with a health check, a monitor from the
/// <see cref="IHealthMonitorFactory"/>; the DNAT map holds the pool's available backends (all of them when none is
/// healthy: fail-open). Health transitions re-render the table, coalesced over <see cref="NftablesProviderOptions.CoalesceDelay"/>.
/// The kernel cannot see failed connects, so there is no passive health checking.
/// </para>
/// <para>
/// Counters come from named nft counters (<see cref="FerryTable"/>), carried over re-renders by a <see cref="CounterLedger"/>.
/// What the kernel does not report: active connections (they would need a conntrack dump), connect failures, clients
/// turned away for lack of a backend, resets and aborts: those are zero. Bytes are IP lengths (headers included).
/// </para>
/// <para>
/// Drain: a removed backend (or a deleted load balancer) keeps its established connections, whose NAT binding conntrack
/// holds, for <see cref="LoadBalancerSettings.DrainTimeout"/>; then their conntrack entries are deleted over netlink
/// (<see cref="ConntrackSocket"/>), which ends them. Adoption: at construction the rules a killed process left are read and
/// kept verbatim for load balancers not ensured yet; <see cref="ListAsync"/> returns them for the orphan sweep.
/// </para>
/// </remarks>
public sealed partial class NftablesProvider : IDataPlane
{
    private readonly Func<NftablesSession> _openSession;
    private readonly Func<ConntrackSocket> _openConntrack;
    private readonly IHealthMonitorFactory _monitors;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly NftablesProviderOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sessionLock = new();
    private readonly CounterLedger _ledger = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ITimer _drainTimer;
    private NftablesSession? _session;
    private string? _lastScript;
    private ImmutableDictionary<LoadBalancerKey, KernelLoadBalancer> _loadBalancers = ImmutableDictionary<LoadBalancerKey, KernelLoadBalancer>.Empty;
    private ImmutableList<DrainingTuple> _draining = [];
    private ImmutableDictionary<LoadBalancerKey, ImmutableArray<AdoptedRule>> _adopted;
    private Task _reapply = Task.CompletedTask;
    private Task _drainSweep = Task.CompletedTask;
    private int _reapplyPending;
    private int _sweeping;
    private int _disposed;

    /// <param name="openSession">Opens the libnftables context to program (<see cref="NftablesSession.Open"/>; tests open it inside a network namespace). Opened once, at construction.</param>
    /// <param name="healthMonitors">Creates the active health check of each listener that has one.</param>
    /// <param name="openConntrack">Opens the conntrack netlink socket drains end connections with (<see cref="ConntrackSocket.Open"/> when null).</param>
    public NftablesProvider(
        Func<NftablesSession> openSession,
        IHealthMonitorFactory healthMonitors,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        NftablesProviderOptions? options = null,
        Func<ConntrackSocket>? openConntrack = null)
    {
        ArgumentNullException.ThrowIfNull(openSession);
        ArgumentNullException.ThrowIfNull(healthMonitors);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _openSession = openSession;
        _openConntrack = openConntrack ?? ConntrackSocket.Open;
        _monitors = healthMonitors;
        _logger = loggerFactory.CreateLogger<NftablesProvider>();
        _time = timeProvider;
        _options = options ?? new NftablesProviderOptions();
        _adopted = Adopt();
        _drainTimer = timeProvider.CreateTimer(static s => ((NftablesProvider)s!).OnDrainTimer(), this, _options.DrainSweepInterval, _options.DrainSweepInterval);
    }

    /// <inheritdoc />
    public string Name => "kernel";

    /// <inheritdoc />
    public Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken) =>
        Task.FromResult(_loadBalancers.TryGetValue(key, out var lb) ? Serving(lb.Spec, lb.Error) : null);

    /// <summary>Every ensured load balancer and every one adopted from a previous process and not ensured yet.</summary>
    public Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LoadBalancerKey>>([.. _loadBalancers.Keys.Union(_adopted.Keys)]);

    /// <inheritdoc />
    public Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return ApplyAsync(spec, _ => spec, cancellationToken);
    }

    /// <summary>Takes only the backends and health checks of <paramref name="spec"/>'s listeners (the whole spec if it does not run yet).</summary>
    public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return ApplyAsync(spec, current => current is null ? spec : MergeBackends(current, spec), cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="NftablesException">nft refused the change; the load balancer still forwards (retry).</exception>
    public async Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken)
    {
        List<IHealthMonitor> retired = [];
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (!_loadBalancers.TryGetValue(key, out var current) && !_adopted.ContainsKey(key))
            {
                return;
            }

            var draining = _draining;
            if (current is not null)
            {
                var now = _time.GetTimestamp();
                draining = draining.AddRange(Tuples(current.Spec).Select(t => new DrainingTuple(key, t.Address, t.Listener.Protocol, t.Listener.Port, t.Backend, now, current.Spec.Settings.DrainTimeout)));
            }

            var loadBalancers = _loadBalancers.Remove(key);
            var adopted = _adopted.Remove(key);
            Program(Content(loadBalancers, draining, adopted, null));
            _loadBalancers = loadBalancers;
            _adopted = adopted;
            _draining = draining;
            if (current is not null)
            {
                retired.AddRange(current.Listeners.Values.Select(l => l.Retire()).OfType<IHealthMonitor>());
            }
        }
        finally
        {
            _gate.Release();
        }

        await DisposeAllAsync(retired);
    }

    /// <inheritdoc />
    public IReadOnlyList<LoadBalancerStats> GetStats()
    {
        var totals = ReadTotals();
        var draining = _draining;
        return [.. _loadBalancers.Values.Select(lb => KernelStats.Of(lb, draining, totals))];
    }

    /// <inheritdoc />
    public LoadBalancerStats? GetStats(LoadBalancerKey key) =>
        _loadBalancers.TryGetValue(key, out var lb) ? KernelStats.Of(lb, _draining, ReadTotals()) : null;

    /// <summary>Stops health checking and deletes Ferry's table: a clean stop leaves nothing in the kernel.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _drainTimer.DisposeAsync();
        await _shutdown.CancelAsync();
#pragma warning disable VSTHRD003 // both were started by this instance; a cancelled one ends with OperationCanceledException
        await WhenSettledAsync(_reapply);
        await WhenSettledAsync(_drainSweep);
#pragma warning restore VSTHRD003
        List<IHealthMonitor> monitors;
        await _gate.WaitAsync();
        try
        {
            monitors = [.. _loadBalancers.Values.SelectMany(lb => lb.Listeners.Values).Select(l => l.Retire()).OfType<IHealthMonitor>()];
            _loadBalancers = _loadBalancers.Clear();
            lock (_sessionLock)
            {
                try
                {
                    Session().Run($"table {FerryTable.Name} {{}}\ndelete table {FerryTable.Name}\n");
                }
                catch (NftablesException e)
                {
                    NftablesLog.ReapplyFailed(_logger, e.Message);
                }

                _session?.Dispose();
                _session = null;
            }
        }
        finally
        {
            _gate.Release();
        }

        await DisposeAllAsync(monitors);
        _shutdown.Dispose();
    }

    private static async Task WhenSettledAsync(Task task)
    {
        try
        {
#pragma warning disable VSTHRD003 // see DisposeAsync
            await task;
#pragma warning restore VSTHRD003
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private static async Task DisposeAllAsync(IEnumerable<IHealthMonitor> monitors)
    {
        foreach (var monitor in monitors)
        {
            await monitor.DisposeAsync();
        }
    }

    /// <summary>Every address, listener and backend of a spec: the tuples whose connections drain when they go.</summary>
    private static IEnumerable<(System.Net.IPAddress Address, ListenerSpec Listener, BackendSpec Backend)> Tuples(LoadBalancerSpec spec) =>
        spec.Addresses.SelectMany(a => spec.Listeners.SelectMany(l => l.Backends.Where(b => b.Address.AddressFamily == a.AddressFamily).Select(b => (a, l, b))));

    /// <summary>The running spec with the backends and health checks of <paramref name="update"/>'s matching listeners.</summary>
    private static LoadBalancerSpec MergeBackends(LoadBalancerSpec current, LoadBalancerSpec update)
    {
        var updates = update.Listeners.ToDictionary(l => (l.Protocol, l.Port));
        return current with
        {
            Listeners = current.Listeners
                .Select(l => updates.TryGetValue((l.Protocol, l.Port), out var u) ? l with { Backends = u.Backends, HealthCheck = u.HealthCheck } : l)
                .ToEquatableArray(),
        };
    }

    /// <summary>Every address and listener of the spec: serving, or not with <paramref name="error"/>.</summary>
    private static LoadBalancerStatus Serving(LoadBalancerSpec spec, string? error) => new(
        spec.Key,
        [.. spec.Addresses.SelectMany(a => spec.Listeners.Select(l => new ListenerStatus(a, l.Protocol, l.Port, error is null, error)))]);
}
