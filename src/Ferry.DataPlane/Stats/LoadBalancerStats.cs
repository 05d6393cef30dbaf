using Ferry.Contracts;

namespace Ferry.DataPlane.Stats;

/// <summary>A point-in-time copy of one load balancer's counters, from <see cref="DataPlaneProvider.GetStats()"/>.</summary>
public sealed record LoadBalancerStats(LoadBalancerKey Key, IReadOnlyList<ListenerStats> Listeners)
{
    public long ActiveConnections => Listeners.Sum(l => l.ActiveConnections);

    public long TotalConnections => Listeners.Sum(l => l.TotalConnections);

    public long BytesToBackend => Listeners.Sum(l => l.BytesToBackend);

    public long BytesToClient => Listeners.Sum(l => l.BytesToClient);

    public long ConnectFailures => Listeners.Sum(l => l.ConnectFailures);

    public long RefusedBySourceRange => Listeners.Sum(l => l.RefusedBySourceRange);
}
