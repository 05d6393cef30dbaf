using Ferry.Contracts;
using Ferry.Ipam;

namespace Ferry.Controller.Pools;

/// <summary>
/// The finalizer that keeps a deleted <c>AddressPool</c> until no Service holds an address from it, so a
/// pool cannot vanish under live Services unnoticed: its status says who still holds what
/// (<see cref="PoolVerdict.InUse"/>).
/// </summary>
public static class PoolFinalizer
{
    /// <summary>The finalizer's name in <c>metadata.finalizers</c>.</summary>
    public const string Name = "ferry.dev/address-pool-protection";

    /// <summary>True when the pool should get the finalizer: it lacks it and is not being deleted.</summary>
    public static bool NeedsAdding(AddressPoolResource pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return !pool.IsDeleting && !pool.HasFinalizer;
    }

    /// <summary>
    /// True when a deleting pool's finalizer may go: no allocation holds an address in its ranges (other than
    /// addresses held under another pool's name, which that pool owns). False for a pool not being deleted.
    /// </summary>
    public static bool MayRemove(AddressPoolResource pool, IReadOnlyList<Allocation> allocations)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(allocations);
        return pool.IsDeleting && pool.HasFinalizer && !PoolHolders.Addresses(pool, allocations).Any();
    }

    /// <summary>The Services that still hold addresses from the pool, by namespace and name (what keeps the finalizer).</summary>
    public static IReadOnlyList<ServiceKey> Holders(AddressPoolResource pool, IReadOnlyList<Allocation> allocations)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(allocations);
        return PoolHolders.Owners(pool, allocations);
    }
}
