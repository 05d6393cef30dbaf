using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Flows;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.Stats;

namespace Ferry.DataPlane.State;

/// <summary>
/// The backends of one listener and how their health is judged: applies a new backend list as a diff
/// (a backend with the same address and port keeps its health, counters and connections; a removed one
/// drains), runs the active health check, or, without one, re-admits passively failed backends after
/// <see cref="DataPlaneContext.PassiveReactivationPeriod"/>.
/// </summary>
/// <remarks>
/// Changes come from the provider (one at a time) and the sweeper; both take <c>_lock</c>. The hot path
/// reads only <see cref="BackendPool.Snapshot"/>.
/// </remarks>
internal sealed class BackendSet
{
    private readonly Lock _lock = new();
    private readonly List<(BackendState Backend, long Since, TimeSpan Timeout)> _draining = [];
    private readonly Dictionary<BackendState, long> _passiveDownSince = [];
    private readonly string _listenerName;
    private readonly FlowTable _flows;
    private readonly DataPlaneContext _context;
    private EquatableArray<BackendSpec> _specs = [];
    private HealthCheckSpec? _check;
    private IHealthMonitor? _monitor;
    private bool _applied;
    private bool _failOpenWarned;

    // Without an active check there is no monitor to log health changes caused by failed connects.
    private HealthTransitionLogger? _passiveTransitions;

    public BackendSet(string listenerName, FlowTable flows, DataPlaneContext context)
    {
        _listenerName = listenerName;
        _flows = flows;
        _context = context;
        Pool.FailOpenChanged += OnFailOpenChanged;
    }

    public BackendPool Pool { get; } = new();

    /// <summary>False means passive checking only: a successful connect counts as a success too.</summary>
    public bool HasActiveHealthCheck => Volatile.Read(ref _check) is not null;

    /// <summary>
    /// Applies the listener's backends and health check; removed backends drain for <paramref name="drainTimeout"/>.
    /// Returns a replaced health monitor for the caller to dispose outside the lock.
    /// </summary>
    public IHealthMonitor? Apply(ListenerSpec spec, long now, TimeSpan drainTimeout)
    {
        lock (_lock)
        {
            // The first apply sets up health judging even without a check (passive only: a transition logger).
            var checkChanged = !_applied || spec.HealthCheck != _check;
            _applied = true;
            var backendsChanged = spec.Backends != _specs;
            Volatile.Write(ref _check, spec.HealthCheck);
            _specs = spec.Backends;
            IHealthMonitor? replaced = null;
            if (checkChanged)
            {
                replaced = _monitor;
                _monitor = spec.HealthCheck is { } check ? _context.HealthMonitors.Create(check, _listenerName) : null;
                _passiveTransitions?.Dispose();
                _passiveTransitions = _monitor is null ? new HealthTransitionLogger(_listenerName, _context.Logger) : null;
                _passiveDownSince.Clear();
            }

            if (backendsChanged)
            {
                SetBackends(spec, now, drainTimeout);
            }

            if (checkChanged || backendsChanged)
            {
                _monitor?.SetBackends(Pool.Backends);
                _passiveTransitions?.SetBackends(Pool.Backends);
            }

            return replaced;
        }
    }

    /// <summary>The listener was removed: stop judging health. Returns the monitor to dispose.</summary>
    public IHealthMonitor? Retire()
    {
        lock (_lock)
        {
            _passiveTransitions?.Dispose();
            _passiveTransitions = null;
            var monitor = _monitor;
            _monitor = null;
            return monitor;
        }
    }

    /// <summary>Closes the connections of removed backends whose drain deadline has passed.</summary>
    public void SweepDrains(long now)
    {
        lock (_lock)
        {
            for (var i = _draining.Count - 1; i >= 0; i--)
            {
                var (backend, since, timeout) = _draining[i];
                var remaining = _flows.AbortIfDue(f => f.Backend == backend, since, timeout, now);
                if (remaining >= 0)
                {
                    BackendSetLog.BackendDrained(_context.Logger, _listenerName, backend.ToString(), remaining);
                    _draining.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Passive checking only: gives a backend that has been unhealthy for the reactivation period traffic again.</summary>
    public void ReactivatePassive(long now)
    {
        lock (_lock)
        {
            foreach (var backend in Pool.Backends)
            {
                if (backend.IsHealthy)
                {
                    _passiveDownSince.Remove(backend);
                }
                else if (!_passiveDownSince.TryGetValue(backend, out var since))
                {
                    _passiveDownSince[backend] = now;
                }
                else if (_context.TimeProvider.GetElapsedTime(since, now) >= _context.PassiveReactivationPeriod)
                {
                    _passiveDownSince.Remove(backend);
                    BackendSetLog.PassiveReactivated(_context.Logger, _listenerName, backend.ToString());
                    backend.Health.ReportSuccess();
                }
            }
        }
    }

    /// <summary>Current backends, then draining ones.</summary>
    public BackendStats[] GetStats()
    {
        lock (_lock)
        {
            return [.. Pool.Backends.Concat(_draining.Select(d => d.Backend)).Select(BackendStats.From)];
        }
    }

    private void SetBackends(ListenerSpec spec, long now, TimeSpan drainTimeout)
    {
        var existing = Pool.Backends.ToDictionary(b => b.EndPoint);
        var backends = new List<BackendState>(spec.Backends.Length);
        foreach (var backendSpec in spec.Backends)
        {
            if (existing.Remove(backendSpec.EndPoint, out var kept))
            {
                kept.UpdateSpec(backendSpec);
                backends.Add(kept);
            }
            else
            {
                // Probed at once by the monitor; no new flows until it passes, unless none is healthy (fail-open).
                backends.Add(new BackendState(backendSpec, BackendHealth.Unchecked(spec.HealthCheck)));
            }
        }

        foreach (var removed in existing.Values)
        {
            removed.MarkDraining();
            _passiveDownSince.Remove(removed);
            _draining.Add((removed, now, drainTimeout));
        }

        Pool.SetBackends(backends);
    }

    private void OnFailOpenChanged(BackendPool pool, bool isFailOpen)
    {
        // A new listener fails open until its first probes answer: expected, so not a warning.
        var warned = Volatile.Read(ref _failOpenWarned);
        if (isFailOpen && pool.IsAwaitingFirstCheck)
        {
            HealthLog.AwaitingFirstCheck(_context.Logger, _listenerName, pool.Snapshot.Available.Count);
        }
        else if (isFailOpen && !warned)
        {
            Volatile.Write(ref _failOpenWarned, true);
            HealthLog.FailOpenStarted(_context.Logger, _listenerName, pool.Snapshot.Available.Count);
        }
        else if (!isFailOpen && warned)
        {
            Volatile.Write(ref _failOpenWarned, false);
            HealthLog.FailOpenEnded(_context.Logger, _listenerName);
        }
    }
}
