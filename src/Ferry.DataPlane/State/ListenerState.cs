using System.Collections.Concurrent;
using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Forwarding;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.Listeners;
using Ferry.DataPlane.Stats;

namespace Ferry.DataPlane.State;

/// <summary>
/// The runtime state of one listener (protocol and port) of a load balancer: its sockets (one per
/// address), backends, settings, counters, and the live connections or flows the sweeper watches.
/// </summary>
/// <remarks>
/// Changes come from the provider (one at a time) and the sweeper timer; both take <c>_lock</c>. The hot
/// path takes no lock: it reads <see cref="Settings"/> and <see cref="BackendPool.Snapshot"/> once per
/// connection and updates counters atomically.
/// </remarks>
internal sealed class ListenerState
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<IForwardedFlow, byte> _flows = new();
    private readonly Dictionary<IPAddress, IListenerHost> _hosts = [];
    private readonly List<(IListenerHost Host, long Since, TimeSpan Timeout)> _retiringHosts = [];
    private readonly List<(BackendState Backend, long Since, TimeSpan Timeout)> _drainingBackends = [];
    private readonly Dictionary<BackendState, long> _passiveDownSince = [];
    private ListenerSettings _settings;
    private IHealthMonitor? _monitor;

    // Without an active check there is no monitor to log health changes caused by failed connects.
    private HealthTransitionLogger? _passiveTransitions;
    private bool _isRetired;

    public ListenerState(LoadBalancerKey loadBalancer, ListenerSpec spec, ListenerSettings settings, DataPlaneContext context)
    {
        Key = ListenerKey.Of(spec);
        Name = $"{loadBalancer} {Key}";
        Context = context;
        Spec = spec with { Backends = [], HealthCheck = null };
        _settings = settings;
        Pool.FailOpenChanged += OnFailOpenChanged;
    }

    public ListenerKey Key { get; }

    public TransportProtocol Protocol => Key.Protocol;

    /// <summary>For logs: <c>namespace/name port/PROTOCOL</c>.</summary>
    public string Name { get; }

    public DataPlaneContext Context { get; }

    public ListenerSpec Spec { get; private set; }

    public BackendPool Pool { get; } = new();

    public ListenerCounters Counters { get; } = new();

    public ListenerSettings Settings => Volatile.Read(ref _settings);

    /// <summary>Passive checking only: a successful connect counts as a success too.</summary>
    public bool HasActiveHealthCheck => Spec.HealthCheck is not null;

    public bool IsRetired
    {
        get
        {
            lock (_lock)
            {
                return _isRetired;
            }
        }
    }

    public void SetSettings(ListenerSettings settings) => Volatile.Write(ref _settings, settings);

    /// <summary>
    /// Applies the listener's backends and health check. Backends with the same address and port keep
    /// their state (health, counters, connections); removed ones drain. Returns a replaced health
    /// monitor for the caller to dispose outside the lock.
    /// </summary>
    public IHealthMonitor? SetSpec(ListenerSpec spec, long now)
    {
        lock (_lock)
        {
            var checkChanged = spec.HealthCheck != Spec.HealthCheck;
            var backendsChanged = spec.Backends != Spec.Backends;
            Spec = spec;
            IHealthMonitor? replaced = null;
            if (checkChanged)
            {
                replaced = _monitor;
                _monitor = spec.HealthCheck is { } check ? Context.HealthMonitors.Create(check, Name) : null;
                _passiveTransitions?.Dispose();
                _passiveTransitions = _monitor is null ? new HealthTransitionLogger(Name, Context.Logger) : null;
                _passiveDownSince.Clear();
            }

            if (backendsChanged)
            {
                SetBackends(spec, now);
            }

            if (checkChanged || backendsChanged)
            {
                _monitor?.SetBackends(Pool.Backends);
                _passiveTransitions?.SetBackends(Pool.Backends);
            }

            return replaced;
        }
    }

    /// <summary>Opens sockets on new addresses, closes (and drains) those no longer listed, retries failed binds.</summary>
    public void SetAddresses(IReadOnlyList<IPAddress> addresses, long now)
    {
        lock (_lock)
        {
            foreach (var (address, host) in _hosts.ToArray())
            {
                if (!addresses.Contains(address))
                {
                    _hosts.Remove(address);
                    RetireHost(host, now);
                }
            }

            foreach (var address in addresses)
            {
                if (!_hosts.TryGetValue(address, out var host))
                {
                    var endPoint = new IPEndPoint(address, Key.Port);
                    host = Protocol == TransportProtocol.Tcp ? new TcpListenerHost(this, endPoint) : new UdpListenerHost(this, endPoint);
                    _hosts.Add(address, host);
                }

                if (!host.Status.IsServing)
                {
                    host.Start();
                }
            }
        }
    }

    public ListenerStatus? GetStatus(IPAddress address)
    {
        lock (_lock)
        {
            return _hosts.TryGetValue(address, out var host) ? host.Status : null;
        }
    }

    /// <summary>The listener was removed: stop accepting everywhere and let connections drain. Returns the monitor to dispose.</summary>
    public IHealthMonitor? Retire(long now)
    {
        lock (_lock)
        {
            _isRetired = true;
            foreach (var host in _hosts.Values)
            {
                RetireHost(host, now);
            }

            _hosts.Clear();
            _passiveTransitions?.Dispose();
            _passiveTransitions = null;
            var monitor = _monitor;
            _monitor = null;
            return monitor;
        }
    }

    /// <summary>Provider shutdown: close every socket and connection now. Returns the monitor to dispose.</summary>
    public IHealthMonitor? Shutdown()
    {
        var monitor = Retire(Context.TimeProvider.GetTimestamp());
        foreach (var flow in _flows.Keys)
        {
            flow.Abort();
        }

        return monitor;
    }

    public void Register(IForwardedFlow flow)
    {
        _flows.TryAdd(flow, 0);
        Counters.OnOpened();
        flow.Backend.OnConnectionOpened();
    }

    /// <summary>A TCP connection starts being watched (connect timeout, drain, shutdown) before it connects.</summary>
    public void Track(IForwardedFlow flow) => _flows.TryAdd(flow, 0);

    /// <summary>A tracked TCP connection reached its backend: counted as open from now on.</summary>
    public void OnOpened(IForwardedFlow flow)
    {
        Counters.OnOpened();
        flow.Backend.OnConnectionOpened();
    }

    /// <summary>A tracked TCP connection ended; <paramref name="opened"/> says whether <see cref="OnOpened"/> counted it.</summary>
    public void Untrack(IForwardedFlow flow, bool opened)
    {
        if (_flows.TryRemove(flow, out _) && opened)
        {
            Counters.OnClosed();
            flow.Backend.OnConnectionClosed();
        }
    }

    public void Unregister(IForwardedFlow flow)
    {
        if (_flows.TryRemove(flow, out _))
        {
            Counters.OnClosed();
            flow.Backend.OnConnectionClosed();
        }
    }

    /// <summary>
    /// Enforces the connect and idle timeouts and drain deadlines, and re-admits passively failed backends.
    /// Returns true when a retired listener has nothing left, so the provider may forget it.
    /// </summary>
    public bool Sweep(long now)
    {
        var time = Context.TimeProvider;
        var idleTimeout = Settings.IdleTimeout;
        foreach (var flow in _flows.Keys)
        {
            if (flow.CheckConnect(now))
            {
                continue;
            }

            var idle = time.GetElapsedTime(flow.LastActivity, now);
            if (idle >= idleTimeout)
            {
                DataPlaneLog.IdleClosed(Context.Logger, Name, idle.TotalSeconds);
                flow.Abort();
            }
        }

        lock (_lock)
        {
            for (var i = _drainingBackends.Count - 1; i >= 0; i--)
            {
                var (backend, since, timeout) = _drainingBackends[i];
                var remaining = AbortIfDue(f => f.Backend == backend, since, timeout, now);
                if (remaining >= 0)
                {
                    DataPlaneLog.BackendDrained(Context.Logger, Name, backend.ToString(), remaining);
                    _drainingBackends.RemoveAt(i);
                }
            }

            for (var i = _retiringHosts.Count - 1; i >= 0; i--)
            {
                var (host, since, timeout) = _retiringHosts[i];
                var remaining = AbortIfDue(f => f.Host == host, since, timeout, now);
                if (remaining >= 0)
                {
                    DataPlaneLog.ListenerDrained(Context.Logger, Name, host.EndPoint, remaining);
                    _retiringHosts.RemoveAt(i);
                }
            }

            if (!HasActiveHealthCheck && !_isRetired)
            {
                ReactivatePassive(now);
            }

            return _isRetired && _retiringHosts.Count == 0 && _flows.IsEmpty;
        }
    }

    public ListenerStats GetStats()
    {
        lock (_lock)
        {
            var backends = Pool.Backends.Concat(_drainingBackends.Select(d => d.Backend)).Select(BackendStats.From).ToArray();
            var sockets = _hosts.Values.Select(h => h.Status).ToArray();
            var c = Counters;
            return new ListenerStats(
                Protocol,
                Key.Port,
                sockets,
                Pool.Snapshot.IsFailOpen,
                c.Accepted,
                c.RefusedBySourceRange,
                c.NoBackend,
                c.ConnectFailures,
                c.ActiveConnections,
                c.TotalConnections,
                c.BytesToBackend,
                c.BytesToClient,
                c.UdpFlowsDropped,
                backends);
        }
    }

    private void SetBackends(ListenerSpec spec, long now)
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
                backends.Add(new BackendState(backendSpec, BackendHealth.For(spec.HealthCheck)));
            }
        }

        foreach (var removed in existing.Values)
        {
            removed.MarkDraining();
            _passiveDownSince.Remove(removed);
            _drainingBackends.Add((removed, now, Settings.DrainTimeout));
        }

        Pool.SetBackends(backends);
    }

    private void RetireHost(IListenerHost host, long now)
    {
        host.Stop();
        _retiringHosts.Add((host, now, Settings.DrainTimeout));
    }

    /// <summary>
    /// -1 before the drain deadline; after it, closes the flows matching <paramref name="match"/> and
    /// returns how many. Entries are kept until the deadline even when nothing matches, so a connection
    /// that was mid-connect when draining began is still closed in time.
    /// </summary>
    private int AbortIfDue(Func<IForwardedFlow, bool> match, long since, TimeSpan timeout, long now)
    {
        if (Context.TimeProvider.GetElapsedTime(since, now) < timeout)
        {
            return -1;
        }

        var matching = _flows.Keys.Where(match).ToArray();
        foreach (var flow in matching)
        {
            flow.Abort();
        }

        return matching.Length;
    }

    private void ReactivatePassive(long now)
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
            else if (Context.TimeProvider.GetElapsedTime(since, now) >= Context.Options.PassiveReactivationPeriod)
            {
                _passiveDownSince.Remove(backend);
                DataPlaneLog.PassiveReactivated(Context.Logger, Name, backend.ToString());
                backend.Health.ReportSuccess();
            }
        }
    }

    private void OnFailOpenChanged(BackendPool pool, bool isFailOpen)
    {
        if (isFailOpen)
        {
            HealthLog.FailOpenStarted(Context.Logger, Name, pool.Snapshot.Available.Count);
        }
        else
        {
            HealthLog.FailOpenEnded(Context.Logger, Name);
        }
    }
}
