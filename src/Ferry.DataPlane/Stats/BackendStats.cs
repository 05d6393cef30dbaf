using Ferry.Contracts;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Stats;

/// <summary>A point-in-time copy of one backend's counters and health, for status commands and metrics.</summary>
public sealed record BackendStats(
    BackendSpec Spec,
    bool IsHealthy,
    bool IsDraining,
    long ActiveConnections,
    long TotalConnections,
    long BytesToBackend,
    long BytesToClient,
    long ConnectFailures)
{
    internal static BackendStats From(BackendState b) => new(
        b.Spec,
        b.IsHealthy,
        b.IsDraining,
        b.ActiveConnections,
        b.TotalConnections,
        b.BytesToBackend,
        b.BytesToClient,
        b.ConnectFailures);
}
