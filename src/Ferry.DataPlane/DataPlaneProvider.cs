using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ferry.Contracts;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Forwarding;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.State;
using Ferry.DataPlane.Stats;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane;

/// <summary>
/// The in-process data plane: an <see cref="ILoadBalancerProvider"/> that opens TCP and UDP listeners
/// for each load balancer and forwards to its backends.
/// </summary>
/// <remarks>
/// Specs are validated first (an invalid one changes nothing), then applied one at a time as a diff:
/// unchanged listeners keep their sockets and connections. One timer sweeps every listener each
/// <see cref="DataPlaneOptions.SweepInterval"/> for idle timeouts, drain deadlines and UDP flow expiry.
/// See docs/design/0001-data-plane.md.
/// </remarks>
public sealed class DataPlaneProvider : IDataPlane
{
    private readonly DataPlaneContext _context;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<LoadBalancerKey, LoadBalancerState> _loadBalancers = new();
    private readonly ConcurrentDictionary<ListenerState, byte> _retired = new();
    private readonly ITimer _sweepTimer;
    private readonly DataPlaneMetrics? _metrics;
    private int _sweeping;
    private int _disposed;

    public DataPlaneProvider(
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        ILoadBalancingPolicyFactory policies,
        IHealthMonitorFactory healthMonitors,
        IMeterFactory? meterFactory = null)
        : this(loggerFactory, timeProvider, policies, healthMonitors, meterFactory, new DataPlaneOptions())
    {
    }

    public DataPlaneProvider(
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        ILoadBalancingPolicyFactory policies,
        IHealthMonitorFactory healthMonitors,
        IMeterFactory? meterFactory,
        DataPlaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(healthMonitors);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(DataPlaneOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        _context = new DataPlaneContext
        {
            Forwarding = new ForwardingContext
            {
                Logger = loggerFactory.CreateLogger<DataPlaneProvider>(),
                TimeProvider = timeProvider,
                ShutdownToken = _shutdown.Token,
                ConnectTimeout = options.ConnectTimeout,
                MaxConnectAttempts = options.MaxConnectAttempts,
                BufferSize = options.BufferSize,
                SmallBufferSize = options.SmallBufferSize,
            },
            Policies = policies,
            HealthMonitors = healthMonitors,
            PassiveReactivationPeriod = options.PassiveReactivationPeriod,
            ListenBacklog = options.ListenBacklog,
        };
        _sweepTimer = timeProvider.CreateTimer(static s => ((DataPlaneProvider)s!).Sweep(), this, options.SweepInterval, options.SweepInterval);
        if (meterFactory is not null)
        {
            _metrics = new DataPlaneMetrics(meterFactory, GetStats);
        }
    }

    public Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken) =>
        Task.FromResult(_loadBalancers.TryGetValue(key, out var state) ? state.GetStatus() : null);

    public Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LoadBalancerKey>>([.. _loadBalancers.Keys]);

    public Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return ApplyAsync(spec, current => spec, cancellationToken);
    }

    /// <summary>
    /// Takes only the backends and health checks of <paramref name="spec"/>'s listeners into the
    /// running load balancer (the node set changed); ensures the whole spec if it does not run yet.
    /// </summary>
    public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return ApplyAsync(spec, current => current is null ? spec : MergeBackends(current, spec), cancellationToken);
    }

    public async Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken)
    {
        ApplyResult? result = null;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_loadBalancers.TryRemove(key, out var state))
            {
                result = state.Retire(_context.TimeProvider.GetTimestamp());
                foreach (var retired in result.RetiredListeners)
                {
                    _retired.TryAdd(retired, 0);
                }

                DataPlaneLog.LoadBalancerDeleted(_context.Logger, key.ToString());
            }
        }
        finally
        {
            _gate.Release();
        }

        if (result is not null)
        {
            await DisposeAllAsync(result.ReplacedMonitors);
        }
    }

    /// <inheritdoc />
    public string Name => "userspace";

    /// <summary>A point-in-time copy of every load balancer's counters, health and fail-open state.</summary>
    public IReadOnlyList<LoadBalancerStats> GetStats() => [.. _loadBalancers.Values.Select(lb => lb.GetStats())];

    /// <summary>The counters of one load balancer, or null if it does not run.</summary>
    public LoadBalancerStats? GetStats(LoadBalancerKey key) => _loadBalancers.TryGetValue(key, out var state) ? state.GetStats() : null;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _sweepTimer.DisposeAsync();
        await _shutdown.CancelAsync();
        var monitors = new List<IHealthMonitor>();
        await _gate.WaitAsync();
        try
        {
            foreach (var listener in _loadBalancers.Values.SelectMany(lb => lb.Listeners).Concat(_retired.Keys))
            {
                if (listener.Shutdown() is { } monitor)
                {
                    monitors.Add(monitor);
                }
            }

            _loadBalancers.Clear();
            _retired.Clear();
        }
        finally
        {
            _gate.Release();
        }

        await DisposeAllAsync(monitors);
        _metrics?.Dispose();
        _shutdown.Dispose();
    }

    /// <summary>Runs one sweep now (tests; the timer does it every <see cref="DataPlaneOptions.SweepInterval"/>).</summary>
    internal void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            var now = _context.TimeProvider.GetTimestamp();
            foreach (var loadBalancer in _loadBalancers.Values)
            {
                foreach (var listener in loadBalancer.Listeners)
                {
                    listener.Sweep(now);
                }
            }

            foreach (var listener in _retired.Keys)
            {
                if (listener.Sweep(now))
                {
                    _retired.TryRemove(listener, out _);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>Validates and applies the spec <paramref name="build"/> makes from the running one, one apply at a time.</summary>
    private async Task<LoadBalancerStatus> ApplyAsync(LoadBalancerSpec request, Func<LoadBalancerSpec?, LoadBalancerSpec> build, CancellationToken cancellationToken)
    {
        ThrowIfInvalid(request);
        ApplyResult result;
        LoadBalancerStatus status;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var existing = _loadBalancers.GetValueOrDefault(request.Key);
            var spec = build(existing?.Spec);
            if (!ReferenceEquals(spec, request))
            {
                ThrowIfInvalid(spec);
            }

            // A new load balancer becomes visible only once applied, so readers never see it half built.
            var state = existing ?? new LoadBalancerState(spec.Key, _context);
            result = state.Apply(spec, _context.TimeProvider.GetTimestamp());
            _loadBalancers.TryAdd(spec.Key, state);
            foreach (var retired in result.RetiredListeners)
            {
                _retired.TryAdd(retired, 0);
            }

            status = state.GetStatus();
            if (status.IsFullyServing)
            {
                DataPlaneLog.LoadBalancerApplied(_context.Logger, spec.Key.ToString(), state.Listeners.Count, result.Changes);
            }
            else
            {
                // Never a success line after a failed bind: say what does not listen.
                var failures = status.Listeners.Where(l => !l.IsServing).Select(l => $"{l.Address}:{l.Port}/{l.Protocol.ToString().ToUpperInvariant()} ({l.Error})");
                DataPlaneLog.LoadBalancerNotServing(_context.Logger, spec.Key.ToString(), state.Listeners.Count, result.Changes, string.Join("; ", failures));
            }
        }
        finally
        {
            _gate.Release();
        }

        await DisposeAllAsync(result.ReplacedMonitors);
        return status;
    }

    private void ThrowIfInvalid(LoadBalancerSpec spec)
    {
        var errors = LoadBalancerSpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            DataPlaneLog.LoadBalancerRejected(_context.Logger, spec.Key.ToString(), string.Join("; ", errors));
            throw new LoadBalancerValidationException(spec.Key, errors);
        }
    }

    /// <summary>The running spec with the backends and health checks of <paramref name="update"/>'s matching listeners.</summary>
    private static LoadBalancerSpec MergeBackends(LoadBalancerSpec current, LoadBalancerSpec update)
    {
        var updates = update.Listeners.ToDictionary(ListenerKey.Of);
        return current with
        {
            Listeners = current.Listeners
                .Select(l => updates.TryGetValue(ListenerKey.Of(l), out var u) ? l with { Backends = u.Backends, HealthCheck = u.HealthCheck } : l)
                .ToEquatableArray(),
        };
    }

    private static async Task DisposeAllAsync(IReadOnlyList<IHealthMonitor> monitors)
    {
        foreach (var monitor in monitors)
        {
            await monitor.DisposeAsync();
        }
    }
}
