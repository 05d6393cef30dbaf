using Ferry.Contracts;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Forwarding;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.Stats;

namespace Ferry.DataPlane.State;

/// <summary>
/// The runtime state of one load balancer: its current spec and one <see cref="ListenerState"/> per
/// (protocol, port). <see cref="Apply"/> diffs a new spec against the running one and touches only
/// what changed.
/// </summary>
internal sealed class LoadBalancerState
{
    private readonly DataPlaneContext _context;
    private Dictionary<ListenerKey, ListenerState> _listeners = [];
    private ListenerState[] _listenerArray = [];

    public LoadBalancerState(LoadBalancerKey key, DataPlaneContext context)
    {
        Key = key;
        _context = context;
    }

    public LoadBalancerKey Key { get; }

    public LoadBalancerSpec? Spec { get; private set; }

    /// <summary>The current listeners; a fresh array after each apply, so readers need no lock.</summary>
    public IReadOnlyList<ListenerState> Listeners => Volatile.Read(ref _listenerArray);

    /// <summary>
    /// Applies <paramref name="spec"/> (already validated): new listeners start, removed ones retire
    /// (stop accepting, drain), kept ones get new backends, settings and addresses in place.
    /// </summary>
    public ApplyResult Apply(LoadBalancerSpec spec, long now)
    {
        var old = Spec;
        var changes = new List<string>();
        var monitors = new List<IHealthMonitor>();
        var retired = new List<ListenerState>();
        var settingsChanged = old is null || old.Settings != spec.Settings;
        var policyChanged = old is null || old.Settings.Algorithm != spec.Settings.Algorithm || old.Settings.SessionAffinity != spec.Settings.SessionAffinity;
        if (old is not null && settingsChanged)
        {
            changes.Add(policyChanged ? "settings and balancing policy" : "settings");
        }

        if (old is not null && old.Addresses != spec.Addresses)
        {
            changes.Add($"addresses {spec.Addresses}");
        }

        var next = new Dictionary<ListenerKey, ListenerState>();
        foreach (var listenerSpec in spec.Listeners)
        {
            var key = ListenerKey.Of(listenerSpec);
            if (_listeners.TryGetValue(key, out var state))
            {
                if (settingsChanged)
                {
                    state.SetSettings(CreateSettings(spec.Settings, key.Protocol, policyChanged ? null : state.Settings.Policy));
                }

                if (listenerSpec != state.Spec)
                {
                    changes.Add($"{key} backends or health check");
                }
            }
            else
            {
                state = new ListenerState(spec.Key, listenerSpec, CreateSettings(spec.Settings, key.Protocol, null), _context);
                changes.Add($"{key} added");
            }

            if (state.SetSpec(listenerSpec, now) is { } replaced)
            {
                monitors.Add(replaced);
            }

            state.SetAddresses(spec.Addresses.AsImmutableArray(), now);
            next[key] = state;
        }

        foreach (var (key, state) in _listeners)
        {
            if (!next.ContainsKey(key))
            {
                if (state.Retire(now) is { } monitor)
                {
                    monitors.Add(monitor);
                }

                retired.Add(state);
                changes.Add($"{key} removed");
            }
        }

        _listeners = next;
        Volatile.Write(ref _listenerArray, [.. next.Values]);
        Spec = spec;
        return new ApplyResult(changes.Count == 0 ? (old is null ? "created" : "unchanged") : string.Join(", ", changes), monitors, retired);
    }

    /// <summary>Removes every listener (they drain); returns what the caller must dispose and keep sweeping.</summary>
    public ApplyResult Retire(long now)
    {
        var monitors = new List<IHealthMonitor>();
        foreach (var state in _listeners.Values)
        {
            if (state.Retire(now) is { } monitor)
            {
                monitors.Add(monitor);
            }
        }

        var retired = _listeners.Values.ToList();
        _listeners = [];
        Volatile.Write(ref _listenerArray, []);
        return new ApplyResult("deleted", monitors, retired);
    }

    public LoadBalancerStatus GetStatus()
    {
        var spec = Spec!;
        var statuses = new List<ListenerStatus>();
        foreach (var address in spec.Addresses)
        {
            foreach (var listener in spec.Listeners)
            {
                var status = _listeners.TryGetValue(ListenerKey.Of(listener), out var state) ? state.GetStatus(address) : null;
                statuses.Add(status ?? new ListenerStatus(address, listener.Protocol, listener.Port, false, "not started"));
            }
        }

        return new LoadBalancerStatus(Key, statuses.ToEquatableArray());
    }

    public LoadBalancerStats GetStats() => new(Key, Listeners.Select(l => l.GetStats()).ToArray());

    /// <summary>A listener's settings; a new policy instance unless <paramref name="policy"/> (the running one) is kept.</summary>
    private ListenerSettings CreateSettings(LoadBalancerSettings settings, TransportProtocol protocol, ILoadBalancingPolicy? policy) =>
        ListenerSettings.For(settings, protocol, policy ?? _context.Policies.Create(settings.Algorithm, settings.SessionAffinity));
}
