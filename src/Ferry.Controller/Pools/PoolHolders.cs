using System.Net;
using Ferry.Contracts;
using Ferry.Ipam;

namespace Ferry.Controller.Pools;

/// <summary>
/// The allocated addresses that count for a pool: those in its ranges, held under its name or kept
/// outside every pool (<see cref="Allocation.IsOutsidePools"/>, as after the pool left the allocator).
/// </summary>
/// <remarks>
/// An address held under another pool's name does not count, though it lies in this pool's ranges: that
/// happens when a refused or deleted pool overlaps a serving one, and the serving one owns it. So a pool
/// deleted to be replaced by another of the same ranges is released once its Services moved over (the
/// allocator re-homes a kept address when a pool holds it again).
/// </remarks>
internal static class PoolHolders
{
    public static IEnumerable<(ServiceKey Owner, IPAddress Address)> Addresses(AddressPoolResource pool, IReadOnlyList<Allocation> allocations) =>
        from allocation in allocations
        where allocation.IsOutsidePools || allocation.PoolName == pool.Name
        from address in allocation.Addresses
        where pool.Ranges.Any(r => r.Contains(address))
        select (allocation.Owner, address);

    /// <summary>How many distinct addresses count for the pool (Services sharing an address count it once).</summary>
    public static long Count(AddressPoolResource pool, IReadOnlyList<Allocation> allocations) =>
        Addresses(pool, allocations).Select(h => h.Address).Distinct().LongCount();

    /// <summary>The Services holding addresses that count for the pool, in order.</summary>
    public static IReadOnlyList<ServiceKey> Owners(AddressPoolResource pool, IReadOnlyList<Allocation> allocations) =>
        [.. Addresses(pool, allocations).Select(h => h.Owner).Distinct().OrderBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal)];
}
