namespace Ferry.DataPlane.Backends;

/// <summary>
/// An immutable view of the backends that may take new traffic right now, rebuilt only when health,
/// draining or the backend list changes, so picking on the hot path reads one reference.
/// </summary>
/// <param name="Available">Healthy, non-draining backends; all non-draining ones when <paramref name="IsFailOpen"/>.</param>
/// <param name="IsFailOpen">No backend is healthy, so traffic is spread across all of them (as cloud load balancers do).</param>
/// <param name="Version">Increases with every rebuild; policies may cache per version (e.g. a Maglev table).</param>
public sealed record BackendSnapshot(IReadOnlyList<BackendState> Available, bool IsFailOpen, long Version)
{
    public static readonly BackendSnapshot Empty = new([], false, 0);
}
