using Ferry.DataPlane.Stats;
using Ferry.Ipam;

namespace Ferry.Hosting.Status;

/// <summary>Builds a <see cref="StatusDocument"/> from the data plane's counters and the allocator (pure).</summary>
public static class StatusDocuments
{
    /// <param name="mode"><c>up</c> or <c>run</c>.</param>
    /// <param name="node">This replica's node (<c>ferry run</c>), else null.</param>
    /// <param name="loadBalancers">The data plane's counters, one entry per load balancer.</param>
    /// <param name="allocator">The allocator, where this process allocates addresses; null otherwise.</param>
    /// <param name="poolsNote">Why there are no pools, when <paramref name="allocator"/> is null.</param>
    public static StatusDocument Build(string mode, string? node, IEnumerable<LoadBalancerStats> loadBalancers, IpAllocator? allocator, string? poolsNote = null)
    {
        ArgumentNullException.ThrowIfNull(loadBalancers);
        var entries = loadBalancers
            .Select(lb => Entry(lb, node))
            .OrderBy(e => e.Service, StringComparer.Ordinal)
            .ToList();
        var pools = allocator is null ? [] : Pools(allocator);
        return new StatusDocument(mode, node, entries, pools, allocator is null ? poolsNote : null);
    }

    private static LoadBalancerEntry Entry(LoadBalancerStats stats, string? node)
    {
        var sockets = stats.Listeners.SelectMany(l => l.Sockets).ToList();
        var backends = stats.Listeners
            .SelectMany(l => l.Backends.Where(b => !b.IsDraining))
            .GroupBy(b => b.Spec.EndPoint)
            .ToList();
        return new LoadBalancerEntry(
            Service: stats.Key.Namespace.Length == 0 ? stats.Key.Name : $"{stats.Key.Namespace}/{stats.Key.Name}",
            Addresses: [.. sockets.Select(s => s.Address).Distinct().OrderBy(a => a.AddressFamily).ThenBy(a => a.ToString(), StringComparer.Ordinal).Select(a => a.ToString())],
            Ports: [.. stats.Listeners.OrderBy(l => l.Port).ThenBy(l => l.Protocol).Select(l => l.ToString())],
            Plane: Plane(stats),
            Node: node,
            Serving: sockets.Count > 0 && sockets.All(s => s.IsServing),
            BackendsHealthy: backends.Count(g => g.All(b => b.IsHealthy)),
            BackendsTotal: backends.Count,
            ActiveConnections: stats.ActiveConnections,
            BytesIn: stats.BytesToBackend,
            BytesOut: stats.BytesToClient);
    }

    /// <summary><c>userspace</c>, <c>kernel</c>, or both joined by <c>+</c> when the hybrid split its listeners.</summary>
    private static string Plane(LoadBalancerStats stats) => stats.Listeners.Count == 0
        ? ListenerStats.UserspacePlane
        : string.Join("+", stats.Listeners.Select(l => l.Plane).Distinct().Order(StringComparer.Ordinal));

    private static List<PoolEntry> Pools(IpAllocator allocator)
    {
        var allocations = allocator.Snapshot();
        return
        [
            .. allocator.Pools.Select(pool =>
            {
                var capacity = Saturate(pool.Capacity);
                var allocated = allocations
                    .Where(a => a.PoolName == pool.Name)
                    .SelectMany(a => a.Addresses)
                    .Distinct()
                    .LongCount();
                return new PoolEntry(pool.Name, [.. pool.Ranges.Select(r => r.Text)], capacity, allocated, Math.Max(0, capacity - allocated));
            }),
        ];
    }

    private static long Saturate(UInt128 value) => value > (UInt128)long.MaxValue ? long.MaxValue : (long)value;
}
