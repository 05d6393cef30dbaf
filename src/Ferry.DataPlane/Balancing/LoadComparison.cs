using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>Compares backends by active connections per unit of weight, without division.</summary>
internal static class LoadComparison
{
    /// <summary>True when <paramref name="candidate"/> carries strictly less load per weight than <paramref name="current"/>.</summary>
    public static bool IsLessLoaded(BackendState candidate, BackendState current) =>
        candidate.ActiveConnections * WeightTable.EffectiveWeight(current)
        < current.ActiveConnections * WeightTable.EffectiveWeight(candidate);
}
