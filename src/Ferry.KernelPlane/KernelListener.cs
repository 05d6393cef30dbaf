using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Health;

namespace Ferry.KernelPlane;

/// <summary>
/// One listener of a load balancer in the kernel plane: its backends' health (a <see cref="BackendPool"/> and the
/// listener's <see cref="IHealthMonitor"/>) decides which backends the DNAT map holds. A change is planned first
/// (<see cref="Plan"/>, nothing touched) and committed only once nft accepted the table it renders.
/// </summary>
internal sealed class KernelListener
{
    private KernelListener(string name, ListenerSpec spec)
    {
        Name = name;
        Spec = spec;
    }

    /// <summary>For logs: <c>default/web 80/TCP</c>.</summary>
    public string Name { get; }

    public ListenerSpec Spec { get; private set; }

    public BackendPool Pool { get; } = new();

    public IHealthMonitor? Monitor { get; private set; }

    /// <summary>The backends the DNAT map holds now: the pool's available ones (all when none is healthy).</summary>
    public IReadOnlyList<BackendSpec> Available => SpecsOf(Spec, Pool.Snapshot.Available);

    /// <summary>What applying <paramref name="spec"/> to <paramref name="current"/> (null: a new listener) would do.</summary>
    public static ListenerPlan Plan(KernelListener? current, LoadBalancerKey key, ListenerSpec spec)
    {
        // Health judged by another check (or none) says nothing under this one: a changed check starts every backend afresh.
        var sameCheck = current is not null && current.Spec.HealthCheck == spec.HealthCheck;
        var existing = current?.Pool.Backends.ToDictionary(b => b.EndPoint) ?? [];
        var fresh = sameCheck ? [] : existing.Keys.ToHashSet();
        var states = new List<BackendState>(spec.Backends.Length);
        foreach (var backend in spec.Backends.DistinctBy(b => b.EndPoint))
        {
            states.Add(existing.Remove(backend.EndPoint, out var kept) && !fresh.Contains(backend.EndPoint)
                ? kept
                : new BackendState(backend, BackendHealth.Unchecked(spec.HealthCheck)));
        }

        var healthy = states.Where(s => s.IsHealthy).ToList();
        return new ListenerPlan(current ?? new KernelListener($"{key} {spec}", spec), spec, states, [.. existing.Values], SpecsOf(spec, healthy.Count > 0 ? healthy : states));
    }

    /// <summary>Takes the plan in: the pool's backends, and a monitor for a new or changed check. Returns a replaced monitor to dispose.</summary>
    public IHealthMonitor? Commit(ListenerPlan plan, IHealthMonitorFactory monitors)
    {
        var checkChanged = plan.Spec.HealthCheck != Spec.HealthCheck || (Monitor is null && plan.Spec.HealthCheck is not null);
        foreach (var removed in plan.Removed)
        {
            removed.MarkDraining();
        }

        Spec = plan.Spec;
        Pool.SetBackends(plan.States);
        IHealthMonitor? replaced = null;
        if (checkChanged)
        {
            replaced = Monitor;
            Monitor = plan.Spec.HealthCheck is { } check ? monitors.Create(check, Name) : null;
        }

        Monitor?.SetBackends(Pool.Backends);
        return replaced;
    }

    /// <summary>The specs (current weights) of <paramref name="states"/>: a kept backend's state holds the spec it was created with.</summary>
    public static IReadOnlyList<BackendSpec> SpecsOf(ListenerSpec spec, IEnumerable<BackendState> states)
    {
        var byEndPoint = spec.Backends.DistinctBy(b => b.EndPoint).ToDictionary(b => b.EndPoint);
        return [.. states.Select(s => byEndPoint.GetValueOrDefault(s.EndPoint) ?? s.Spec)];
    }

    /// <summary>The listener goes: returns its monitor to dispose.</summary>
    public IHealthMonitor? Retire()
    {
        foreach (var backend in Pool.Backends)
        {
            backend.MarkDraining();
        }

        var monitor = Monitor;
        Monitor = null;
        return monitor;
    }
}

/// <summary>A planned change of one listener.</summary>
/// <param name="Listener">The listener it applies to (a new one when it did not run).</param>
/// <param name="States">The backends after the change: kept ones with their health, new ones unchecked.</param>
/// <param name="Removed">Backends no longer listed: they drain.</param>
/// <param name="Available">The backends the DNAT map will hold.</param>
internal sealed record ListenerPlan(KernelListener Listener, ListenerSpec Spec, IReadOnlyList<BackendState> States, IReadOnlyList<BackendState> Removed, IReadOnlyList<BackendSpec> Available);
