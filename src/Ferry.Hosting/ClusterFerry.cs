using System.Diagnostics.Metrics;
using Ferry.Controller;
using Ferry.Controller.LeaderElection;
using Ferry.Hosting.Admin;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary>
/// <c>ferry run</c>: the service controller and its data plane against any cluster, under leader
/// election. Each leadership term builds a fresh <see cref="ControllerHost"/> and disposes it when the
/// term ends, so a replica that is not the leader holds no listeners and writes nothing.
/// </summary>
/// <remarks>
/// A fresh host per term is deliberate: the controller rebuilds its allocations from the Services'
/// status when it starts, so the state a new leader starts from is the cluster's, never a stale copy
/// from an earlier term.
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
    }

    /// <summary>The admin endpoint <see cref="StartAsync"/> serves (null when none was asked for, or its optional address was taken).</summary>
    public AdminEndpoint? Admin { get; private set; }

    /// <summary>The controller of the current term, or null when this replica does not lead.</summary>
    public ControllerHost? Current => _current;

    public bool IsLeader => _election.IsLeader;

    /// <summary>How many times this replica has become the leader.</summary>
    public int Terms => Volatile.Read(ref _terms);

    /// <summary>
    /// For <c>/readyz</c>: ready once the leader's controller has synced its caches and rebuilt its
    /// allocations; a standby replica is ready too (it serves nothing but is healthy), and says so.
    /// </summary>
    public AdminReadiness GetReadiness() => _current switch
    {
        { Controller.IsReady: true } => AdminReadiness.Ready(),
        not null => AdminReadiness.NotReady("controller: caches not synced or allocations not rebuilt yet"),
        null when !_election.IsLeader => AdminReadiness.Ready("ok (standby)"),
        _ => AdminReadiness.NotReady("controller: starting"),
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

        ferry.Admin = await AdminEndpoint.StartForAsync(ferry, options.Admin, meters, ferry.GetReadiness, loggerFactory, cancellationToken);
        return ferry;
    }

    /// <summary>Stops the admin endpoint and releases the meters; call after <see cref="RunAsync"/> returned.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Admin is not null)
        {
            await Admin.DisposeAsync();
        }

        _controllerMetrics?.Dispose();
        _ownedMeters?.Dispose();
    }

    /// <summary>Campaigns and, while leading, runs the controller; returns when cancelled, after the listeners closed.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _election.RunAsync(LeadAsync, cancellationToken);

    private async Task LeadAsync(CancellationToken term)
    {
        var host = new ControllerHost(
            _client,
            new ControllerHostOptions { Pools = _options.Pools, Controller = _options.Controller, Identity = _options.Identity },
            _loggerFactory,
            _timeProvider,
            _meterFactory,
            _controllerMetrics);
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
            // Only now, with the listeners closed, does this replica stop counting as serving.
            _current = null;
        }
    }
}
