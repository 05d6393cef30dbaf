using System.Net;
using Ferry.Contracts.Announcement;
using Ferry.Ipam;

namespace Ferry.Controller.Serving;

/// <summary>
/// Which addresses are announced, and how: the pools (whose ranges never overlap) with their announcement settings.
/// The pools can change while replicas run (AddressPool objects, MetalLB's L2Advertisements): <see cref="Update"/>
/// swaps them at once for every reader.
/// </summary>
public sealed class AnnouncedAddresses
{
    private volatile (AddressPool Pool, PoolAnnouncement Announcement)[] _announced;

    /// <param name="announcements">One per pool; a pool without one is not announced.</param>
    public AnnouncedAddresses(IReadOnlyList<AddressPool> pools, IReadOnlyList<PoolAnnouncement> announcements) =>
        _announced = Announced(pools, announcements);

    /// <summary>True when some pool is announced (only then do the replicas need to agree on owners).</summary>
    public bool Any => _announced.Length > 0;

    /// <summary>Replaces the pools and their announcements; returns whether anything announced changed.</summary>
    public bool Update(IReadOnlyList<AddressPool> pools, IReadOnlyList<PoolAnnouncement> announcements)
    {
        var next = Announced(pools, announcements);
        var changed = !next.SequenceEqual(_announced);
        _announced = next;
        return changed;
    }

    /// <summary>How the address is announced, or null when its pool is not announced (or no pool holds it).</summary>
    public PoolAnnouncement? Find(IPAddress address)
    {
        foreach (var (pool, announcement) in _announced)
        {
            if (pool.Ranges.Any(r => r.Contains(address)))
            {
                return announcement;
            }
        }

        return null;
    }

    public bool IsAnnounced(IPAddress address) => Find(address) is not null;

    private static (AddressPool Pool, PoolAnnouncement Announcement)[] Announced(IReadOnlyList<AddressPool> pools, IReadOnlyList<PoolAnnouncement> announcements)
    {
        var byPool = announcements.GroupBy(a => a.Pool, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return [.. pools
            .Select(p => (Pool: p, Announcement: byPool.GetValueOrDefault(p.Name)))
            .Where(p => p.Announcement is { IsAnnounced: true })
            .Select(p => (p.Pool, p.Announcement!))];
    }
}
