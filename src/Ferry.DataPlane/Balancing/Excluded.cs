using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>Membership in the short list of backends already tried for one connection.</summary>
internal static class Excluded
{
    /// <summary>By reference: the list is a handful of backends of the same snapshot.</summary>
    public static bool Contains(ReadOnlySpan<BackendState> exclude, BackendState backend)
    {
        foreach (var excluded in exclude)
        {
            if (ReferenceEquals(excluded, backend))
            {
                return true;
            }
        }

        return false;
    }
}
