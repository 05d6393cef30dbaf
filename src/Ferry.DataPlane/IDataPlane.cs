using Ferry.Contracts;
using Ferry.DataPlane.Stats;

namespace Ferry.DataPlane;

/// <summary>
/// A data plane the hosts run: a load balancer provider that also reports what it serves (for <c>/metrics</c>,
/// <c>/status</c> and <c>ferry status</c>) and closes everything when disposed. Implemented by the userspace
/// plane (<see cref="DataPlaneProvider"/>), the kernel plane, and the hybrid that splits listeners between them.
/// </summary>
public interface IDataPlane : ILoadBalancerProvider, IAsyncDisposable
{
    /// <summary>Which plane serves: <c>userspace</c>, <c>kernel</c>, or <c>hybrid</c>.</summary>
    string Name { get; }

    /// <summary>A point-in-time copy of every load balancer's counters, health and fail-open state.</summary>
    IReadOnlyList<LoadBalancerStats> GetStats();

    /// <summary>The counters of one load balancer, or null if it does not run.</summary>
    LoadBalancerStats? GetStats(LoadBalancerKey key);
}
