using System.Globalization;
using System.Diagnostics.Metrics;
using Ferry.Controller;
using Ferry.Controller.LeaderElection;
using Ferry.Hosting.Admin;
using Ferry.Hosting.Status;
using Ferry.Hosting.Serving;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary>
/// <c>ferry run</c>: the service controller and its data plane against any cluster, under leader
/// election. Each leadership term builds a fresh <see cref="ControllerHost"/> over the replica's one
/// <see cref="ReplicaDataPlane"/>, so only the leader writes; the data plane outlives the term.
/// </summary>
/// <remarks>
/// A fresh controller per term is deliberate: it rebuilds its allocations from the Services' status
/// when it starts, so the state a new leader starts from is the cluster's, never a stale copy from an
/// earlier term. The listeners are not the term's: a term that ends because the Lease could not be
/// renewed (an API server outage) leaves them serving until another replica leads
/// (<see cref="ReplicaDataPlane"/>); a stop closes them before the Lease is released.
/// </remarks>
public sealed class ClusterFerry : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly ClusterFerryOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly IMeterFactory? _meterFactory;
    private readonly ILeaderElection _election;
    private readonly ControllerMetrics? _controllerMetrics;
    private readonly ReplicaDataPlane _dataPlane;
    private readonly ReplicaServing? _serving;
    private bool _servingStarted;
    private FerryMeterFactory? _ownedMeters;
    private volatile ControllerHost? _current;
    private int _terms;

    /// <summary>A replica that serves no admin endpoint (<see cref="StartAsync"/> serves the one <see cref="ClusterFerryOptions.Admin"/> asks for).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ClusterFerry(IKubernetes client, ClusterFerryOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory = null, ILeaderElection? election = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(ClusterFerryOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        _client = client;
        _options = options;
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
        _meterFactory = meterFactory;
        _election = election ?? (options.LeaderElection is { } settings
            ? new LeaseLeaderElection(client, settings, timeProvider, loggerFactory.CreateLogger<LeaseLeaderElection>())
            : new NoLeaderElection());
        _controllerMetrics = meterFactory is null ? null : new ControllerMetrics(meterFactory, () => _election.IsLeader);
        var provider = DataPlaneFactory.Create(options.DataPlane, loggerFactory, timeProvider, meterFactory);
        if (options.Serving is { } serving)
        {
            _serving = new ReplicaServing(client, serving, options.Pools, options.Controller, provider, loggerFactory, timeProvider, meterFactory);
        }

        _dataPlane = new ReplicaDataPlane(provider, options.Identity, loggerFactory.CreateLogger<ReplicaDataPlane>(), key => _serving?.Serves(key) == true);
    }

    /// <summary>The admin endpoint <see cref="StartAsync"/> serves (null when none was asked for, or its optional address was taken).</summary>
    public AdminEndpoint? Admin { get; private set; }

    /// <summary>The controller of the current term, or null when this replica does not lead.</summary>
    public ControllerHost? Current => _current;

    public bool IsLeader => _election.IsLeader;

    /// <summary>How many times this replica has become the leader.</summary>
    public int Terms => Volatile.Read(ref _terms);

    /// <summary>The announcing part every replica runs (null without <see cref="ClusterFerryOptions.Serving"/>: no pool of the pools file announced and no <c>--peer-listen</c>).</summary>
    public ReplicaServing? Serving => _serving;

    /// <summary>The replica's data plane: what it serves, in and between terms.</summary>
    public ReplicaDataPlane DataPlane => _dataPlane;

    /// <summary>
    /// For <c>/readyz</c>: ready once the leader's controller has synced its caches and rebuilt its
    /// allocations; a standby replica is ready too (it is healthy), and says so. Not ready while the API
    /// server refuses the Lease (401/403): that needs an operator.
    /// </summary>
    public AdminReadiness GetReadiness()
    {
        var readiness = GetLeaderReadiness();
        if (_serving is null || !readiness.IsReady)
        {
            return readiness;
        }

        if (_serving.Controller is not { IsReady: true } serving)
        {
            return AdminReadiness.NotReady("announcer: caches not synced yet");
        }

        var owned = serving.Owned;
        return AdminReadiness.Ready(string.Create(
            CultureInfo.InvariantCulture,
            $"{readiness.Message}; node {_options.Serving!.NodeName} announces {(owned.Count == 0 ? "no address" : string.Join(", ", owned))} ({_serving.Live.Count} replicas alive, {_serving.Candidates.Count} ready)"));
    }

    /// <summary>
    /// For <c>/status</c> and <c>ferry status</c>: the load balancers this replica serves (as owner of their
    /// addresses, or as the leader) and, on the leader, the pools.
    /// </summary>
    public StatusDocument GetStatus() => StatusDocuments.Build(
        "run",
        _options.Serving?.NodeName ?? _options.Identity,
        _dataPlane.Provider.GetStats(),
        _current?.Allocator,
        "Pools: the leader allocates addresses; ask its admin endpoint.");

    private AdminReadiness GetLeaderReadiness() => (_election.Problem, _current) switch
    {
        ({ } problem, _) => AdminReadiness.NotReady(problem),
        (_, { Controller.IsReady: true }) => AdminReadiness.Ready(),
        (_, not null) => AdminReadiness.NotReady("controller: caches not synced or allocations not rebuilt yet"),
        _ when _election.IsLeader => AdminReadiness.NotReady("controller: starting"),
        _ when _dataPlane.IsRetaining => AdminReadiness.Ready("ok (not the leader; still serving the last term's load balancers until another replica leads)"),
        _ => AdminReadiness.Ready("ok (standby)"),
    };

    /// <summary>
    /// A replica with the admin endpoint <see cref="ClusterFerryOptions.Admin"/> asks for, serving before
    /// the campaign starts; then call <see cref="RunAsync"/>, and dispose to stop the endpoint.
    /// </summary>
    /// <param name="meterFactory">Where Ferry's meters come from; when null and an admin endpoint is asked for, one of Ferry's own.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="IOException">The admin address was taken (and not optional) or cannot be bound.</exception>
    public static async Task<ClusterFerry> StartAsync(IKubernetes client, ClusterFerryOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider, CancellationToken cancellationToken, IMeterFactory? meterFactory = null, ILeaderElection? election = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownedMeters = meterFactory is null && options.Admin is not null ? new FerryMeterFactory() : null;
        var meters = meterFactory ?? ownedMeters;
        ClusterFerry ferry;
        try
        {
            ferry = new ClusterFerry(client, options, loggerFactory, timeProvider, meters, election) { _ownedMeters = ownedMeters };
        }
        catch
        {
            ownedMeters?.Dispose();
            throw;
        }

        if (ferry._serving is not null)
        {
            await ferry.StartServingAsync(cancellationToken);
        }

        ferry.Admin = await AdminEndpoint.StartForAsync(ferry, options.Admin, meters, ferry.GetReadiness, loggerFactory, cancellationToken, ferry.GetStatus);
        return ferry;
    }

    /// <summary>Stops the admin endpoint and releases the data plane and the meters; call after <see cref="RunAsync"/> returned.</summary>
    public async ValueTask DisposeAsync()
    {
        await _dataPlane.DisposeAsync();
        if (_serving is not null)
        {
            await _serving.DisposeAsync();
        }

        if (Admin is not null)
        {
            await Admin.DisposeAsync();
        }

        _controllerMetrics?.Dispose();
        _ownedMeters?.Dispose();
    }

    /// <summary>
    /// Campaigns and, while leading, runs the controller; returns when cancelled, after the listeners
    /// closed. Call once: the data plane is closed when it returns.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_serving is not null && !_servingStarted)
        {
            await StartServingAsync(cancellationToken);
        }

        _election.LeaseObserved += _dataPlane.Observe;
        using var servingStop = new CancellationTokenSource();
        var serving = _serving?.RunAsync(servingStop.Token) ?? Task.CompletedTask;
        var election = _election.RunAsync(term => LeadAsync(term, cancellationToken), cancellationToken);
        try
        {
            await Task.WhenAny(election, Task.Delay(Timeout.Infinite, cancellationToken)).Unwrap().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_serving is not null)
            {
                // A clean stop: the others take this replica's addresses over as soon as they hear it leave,
                // while its own listeners close and it stops answering for them.
                await _serving.LeaveAsync();
            }

            await servingStop.CancelAsync();
            await serving;
            await election;
        }
        finally
        {
            _election.LeaseObserved -= _dataPlane.Observe;

            // A stop closes what is still served (a term's listeners, or those kept from the last one).
            await _dataPlane.DisposeAsync();
        }
    }

    private async Task StartServingAsync(CancellationToken cancellationToken)
    {
        _servingStarted = true;
        await _serving!.StartAsync(cancellationToken);
    }

    private async Task LeadAsync(CancellationToken term, CancellationToken stopping)
    {
        await _dataPlane.BeginTermAsync();
        var host = new ControllerHost(
            _client,
            new ControllerHostOptions { Pools = _options.Pools, Announcements = _options.Serving?.Announcements ?? [], Controller = _options.Controller, Identity = _options.Identity },
            _loggerFactory,
            _timeProvider,
            _meterFactory,
            _controllerMetrics,
            _dataPlane.Provider,
            _serving is null ? null : new LeaderServedProvider(_dataPlane.Provider, _serving.IsAnnouncedService, _serving.Serves),
            _serving?.PoolObjects,
            _serving?.Informers);
        try
        {
            await using (host)
            {
                _current = host;
                Interlocked.Increment(ref _terms);
                await host.RunAsync(term);
            }
        }
        finally
        {
            _current = null;
            if (stopping.IsCancellationRequested && _serving is not null)
            {
                // A stop: close the term's listeners before the election releases the Lease, so the next
                // leader finds their addresses free; what this replica serves as an address's owner drains
                // first (the serving side closes it once clients moved to the new owner).
                await _dataPlane.CloseTermAsync();
            }
            else if (stopping.IsCancellationRequested)
            {
                // A handover: close the listeners before the election releases the Lease, so the next
                // leader finds the addresses free.
                await _dataPlane.DisposeAsync();
            }
            else
            {
                _dataPlane.EndTerm();
            }
        }
    }
}
