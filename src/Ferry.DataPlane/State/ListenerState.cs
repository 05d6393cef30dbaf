using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Flows;
using Ferry.DataPlane.Forwarding;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.Listeners;
using Ferry.DataPlane.Stats;

namespace Ferry.DataPlane.State;

/// <summary>
/// One listener (protocol and port) of a load balancer, put together from its parts: its sockets
/// (<see cref="ListenerSockets"/>, one per address), its flows (<see cref="FlowTable"/>), its backends
/// (<see cref="BackendSet"/>), its settings and counters. Sockets and connections see it only as an
/// <see cref="IListenerView"/>.
/// </summary>
/// <remarks>
/// Changes come from the provider (one at a time) and the sweeper timer. The hot path takes no lock: it
/// reads <see cref="Settings"/> and the backend snapshot once per connection and updates counters atomically.
/// </remarks>
internal sealed class ListenerState : IListenerView
{
    private readonly Lock _lock = new();
    private readonly FlowTable _flows;
    private readonly BackendSet _backends;
    private readonly ListenerSockets _sockets;
    private ListenerSettings _settings;
    private bool _isRetired;

    public ListenerState(LoadBalancerKey loadBalancer, ListenerSpec spec, ListenerSettings settings, DataPlaneContext context)
    {
        Key = ListenerKey.Of(spec);
        Name = $"{loadBalancer} {Key}";
        Context = context.Forwarding;
        Spec = spec with { Backends = [], HealthCheck = null };
        _settings = settings;
        _flows = new FlowTable(Name, Counters, context.Logger, context.TimeProvider);
        _backends = new BackendSet(Name, _flows, context);
        _sockets = new ListenerSockets(this, _flows, Key.Protocol, Key.Port, context.ListenBacklog);
    }

    public ListenerKey Key { get; }

    /// <summary>For logs: <c>namespace/name port/PROTOCOL</c>.</summary>
    public string Name { get; }

    public ForwardingContext Context { get; }

    /// <summary>The spec last applied (backends and health check included).</summary>
    public ListenerSpec Spec { get; private set; }

    public ListenerCounters Counters { get; } = new();

    public ListenerSettings Settings => Volatile.Read(ref _settings);

    public BackendSnapshot Backends => _backends.Pool.Snapshot;

    public bool HasActiveHealthCheck => _backends.HasActiveHealthCheck;

    public void SetSettings(ListenerSettings settings) => Volatile.Write(ref _settings, settings);

    /// <summary>
    /// Applies the listener's backends and health check (see <see cref="BackendSet.Apply"/>). Returns a
    /// replaced health monitor for the caller to dispose.
    /// </summary>
    public IHealthMonitor? SetSpec(ListenerSpec spec, long now)
    {
        Spec = spec;
        return _backends.Apply(spec, now, Settings.DrainTimeout);
    }

    /// <summary>Opens sockets on new addresses, closes (and drains) those no longer listed, retries failed binds.</summary>
    public void SetAddresses(IReadOnlyList<IPAddress> addresses, long now) => _sockets.SetAddresses(addresses, now, Settings.DrainTimeout);

    public ListenerStatus? GetStatus(IPAddress address) => _sockets.GetStatus(address);

    /// <summary>The listener was removed: stop accepting everywhere and let connections drain. Returns the monitor to dispose.</summary>
    public IHealthMonitor? Retire(long now)
    {
        lock (_lock)
        {
            _isRetired = true;
            _sockets.RetireAll(now, Settings.DrainTimeout);
            return _backends.Retire();
        }
    }

    /// <summary>Provider shutdown: close every socket and connection now. Returns the monitor to dispose.</summary>
    public IHealthMonitor? Shutdown()
    {
        var monitor = Retire(Context.TimeProvider.GetTimestamp());
        _flows.AbortAll();
        return monitor;
    }

    public void Track(IForwardedFlow flow) => _flows.Track(flow);

    public void Opened(IForwardedFlow flow) => _flows.Opened(flow);

    public void Untrack(IForwardedFlow flow, bool opened) => _flows.Untrack(flow, opened);

    /// <summary>
    /// Enforces the connect and idle timeouts and drain deadlines, and re-admits passively failed backends.
    /// Returns true when a retired listener has nothing left, so the provider may forget it.
    /// </summary>
    public bool Sweep(long now)
    {
        _flows.SweepIdle(now, Settings.IdleTimeout);
        lock (_lock)
        {
            _backends.SweepDrains(now);
            _sockets.SweepDrains(now);
            if (!HasActiveHealthCheck && !_isRetired)
            {
                _backends.ReactivatePassive(now);
            }

            return _isRetired && !_sockets.IsDraining && _flows.IsEmpty;
        }
    }

    public ListenerStats GetStats()
    {
        var c = Counters;
        return new ListenerStats(
            Key.Protocol,
            Key.Port,
            _sockets.GetStatuses(),
            Backends.IsFailOpen,
            c.Accepted,
            c.RefusedBySourceRange,
            c.NoBackend,
            c.ConnectFailures,
            c.ActiveConnections,
            c.TotalConnections,
            c.BytesToBackend,
            c.BytesToClient,
            c.UdpFlowsDropped,
            c.ConnectionsReset,
            c.ConnectionsAborted,
            _backends.GetStats());
    }
}
