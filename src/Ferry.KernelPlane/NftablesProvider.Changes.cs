using System.Collections.Immutable;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Health;
using Ferry.KernelPlane.Ruleset;
using Ferry.KernelPlane.Stats;

namespace Ferry.KernelPlane;

/// <summary>Changes: planning, rendering and committing a new desired state, and health-driven re-renders.</summary>
public sealed partial class NftablesProvider
{
    private async Task<LoadBalancerStatus> ApplyAsync(LoadBalancerSpec request, Func<LoadBalancerSpec?, LoadBalancerSpec> build, CancellationToken cancellationToken)
    {
        LoadBalancerSpecValidator.ThrowIfInvalid(request);
        List<IHealthMonitor> replaced = [];
        LoadBalancerStatus status;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var current = _loadBalancers.GetValueOrDefault(request.Key);
            var spec = build(current?.Spec);
            if (!ReferenceEquals(spec, request))
            {
                LoadBalancerSpecValidator.ThrowIfInvalid(spec);
            }

            // Plan without touching anything: a table nft refuses leaves every pool and monitor as it was.
            var plans = spec.Listeners.Select(l => KernelListener.Plan(current?.Listeners.GetValueOrDefault((l.Protocol, l.Port)), spec.Key, l)).ToList();
            var kept = Tuples(spec).Select(t => (t.Address, t.Listener.Protocol, t.Listener.Port, t.Backend.EndPoint)).ToHashSet();
            var now = _time.GetTimestamp();
            var draining = _draining.RemoveAll(d => kept.Contains((d.Address, d.Protocol, d.Port, d.Backend.EndPoint)) && d.Key == spec.Key);
            if (current is not null)
            {
                draining = draining.AddRange(Tuples(current.Spec)
                    .Where(t => !kept.Contains((t.Address, t.Listener.Protocol, t.Listener.Port, t.Backend.EndPoint)))
                    .Select(t => new DrainingTuple(spec.Key, t.Address, t.Listener.Protocol, t.Listener.Port, t.Backend, now, spec.Settings.DrainTimeout)));
            }

            var next = new KernelLoadBalancer(spec, plans.ToImmutableDictionary(p => (p.Spec.Protocol, p.Spec.Port), p => p.Listener), null);
            var loadBalancers = _loadBalancers.SetItem(spec.Key, next);
            var adopted = _adopted.Remove(spec.Key);
            try
            {
                Program(Content(loadBalancers, draining, adopted, plans));
            }
            catch (NftablesException ex)
            {
                NftablesLog.Refused(_logger, spec.Key.ToString(), ex.Message);
                return Serving(spec, ex.Message);
            }

            foreach (var plan in plans)
            {
                if (!current?.Listeners.ContainsValue(plan.Listener) ?? true)
                {
                    plan.Listener.Pool.SnapshotChanged += OnSnapshotChanged;
                }

                if (plan.Listener.Commit(plan, _monitors) is { } monitor)
                {
                    replaced.Add(monitor);
                }
            }

            var gone = current?.Listeners.Values.Except(plans.Select(p => p.Listener)) ?? [];
            replaced.AddRange(gone.Select(l => l.Retire()).OfType<IHealthMonitor>());
            _loadBalancers = loadBalancers;
            _adopted = adopted;
            _draining = draining;
            status = Serving(spec, null);
            NftablesLog.Applied(_logger, spec.Key.ToString(), spec.Listeners.Length);
        }
        finally
        {
            _gate.Release();
        }

        await DisposeAllAsync(replaced);
        return status;
    }

    /// <summary>What the table must hold: every listener with its available backends (planned ones from <paramref name="plans"/>), draining backends counted, adopted rules.</summary>
    private static TableContent Content(
        ImmutableDictionary<LoadBalancerKey, KernelLoadBalancer> loadBalancers,
        ImmutableList<DrainingTuple> draining,
        ImmutableDictionary<LoadBalancerKey, ImmutableArray<AdoptedRule>> adopted,
        IReadOnlyList<ListenerPlan>? plans)
    {
        var planned = plans?.ToDictionary(p => p.Listener) ?? [];
        var listeners = new List<TableListener>();
        foreach (var lb in loadBalancers.Values)
        {
            foreach (var address in lb.Spec.Addresses)
            {
                foreach (var listenerSpec in lb.Spec.Listeners)
                {
                    var listener = lb.Listeners[(listenerSpec.Protocol, listenerSpec.Port)];
                    var available = planned.TryGetValue(listener, out var plan) ? plan.Available : listener.Available;
                    var counted = listenerSpec.Backends.Concat(draining
                        .Where(d => d.Key == lb.Spec.Key && d.Address.Equals(address) && d.Protocol == listenerSpec.Protocol && d.Port == listenerSpec.Port)
                        .Select(d => d.Backend)).ToList();
                    listeners.Add(new TableListener(lb.Spec.Key, address, listenerSpec, lb.Spec.Settings, available, counted));
                }
            }
        }

        return new TableContent(listeners, [.. adopted.Values.SelectMany(r => r)]);
    }

    /// <summary>Applies <paramref name="content"/> as one transaction, carrying the counters of the table it replaces.</summary>
    /// <exception cref="NftablesException">nft refused it: nothing changed.</exception>
    private void Program(TableContent content)
    {
        var rendered = FerryTable.Render(content);
        lock (_sessionLock)
        {
            if (rendered.Script == _lastScript)
            {
                return;
            }

            var carried = _ledger.Carry(ReadCountersLocked(), rendered.Counters);
            Session().Run(rendered.Script);
            _ledger.Commit(carried, rendered.Counters);
            _lastScript = rendered.Script;
            Transactions++;
        }
    }

    /// <summary>How many scripts were applied (tests: health transitions coalesce).</summary>
    internal int Transactions { get; private set; }

    private NftablesSession Session() => _session ??= _openSession();

    /// <summary>The live counters of the table (none when it does not exist).</summary>
    private Dictionary<string, CounterValue> ReadCountersLocked()
    {
        try
        {
            return CounterListing.Parse(Session().RunJson($"list counters table {FerryTable.Name}"));
        }
        catch (Exception e) when (e is NftablesException or FormatException)
        {
            // No table yet (a first change), or nothing readable: the counters start from zero.
            return [];
        }
    }

    private Dictionary<CounterKey, CounterValue> ReadTotals()
    {
        lock (_sessionLock)
        {
            if (Volatile.Read(ref _disposed) != 0 || _lastScript is null)
            {
                return [];
            }

            return _ledger.Totals(ReadCountersLocked());
        }
    }

    /// <summary>The rules a previous process left in the table, by load balancer.</summary>
    private ImmutableDictionary<LoadBalancerKey, ImmutableArray<AdoptedRule>> Adopt()
    {
        string listing;
        lock (_sessionLock)
        {
            try
            {
                listing = Session().Run($"list table {FerryTable.Name}");
            }
            catch (NftablesException)
            {
                return ImmutableDictionary<LoadBalancerKey, ImmutableArray<AdoptedRule>>.Empty; // no table: nothing to adopt
            }
        }

        var rules = AdoptedTable.Parse(listing);
        if (rules.Count > 0)
        {
            NftablesLog.Adopted(_logger, rules.Count, rules.Select(r => r.Key).Distinct().Count());
        }

        return rules.GroupBy(r => r.Key).ToImmutableDictionary(g => g.Key, g => g.ToImmutableArray());
    }

    /// <summary>A pool's available backends changed (health): re-render soon, once for all transitions of the next few ms.</summary>
    private void OnSnapshotChanged(BackendPool pool)
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _reapplyPending, 1) != 0)
        {
            return;
        }

        _reapply = ReapplyAsync(_shutdown.Token);
    }

    private async Task ReapplyAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(_options.CoalesceDelay, _time, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Volatile.Write(ref _reapplyPending, 0);
            Program(Content(_loadBalancers, _draining, _adopted, null));
        }
        catch (NftablesException e)
        {
            NftablesLog.ReapplyFailed(_logger, e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>One ensured load balancer: its spec and listeners.</summary>
/// <param name="Error">Why it does not serve, when nft refused its last change.</param>
internal sealed record KernelLoadBalancer(LoadBalancerSpec Spec, ImmutableDictionary<(TransportProtocol Protocol, int Port), KernelListener> Listeners, string? Error);
