using System.Net;
using Ferry.Contracts.Announcement;
using Ferry.Ipam;

namespace Ferry.Controller.Serving;

/// <summary>Which addresses are announced, and how: the pools (whose ranges never overlap) with their announcement settings.</summary>
public sealed class AnnouncedAddresses
{
    private readonly IReadOnlyList<(AddressPool Pool, PoolAnnouncement Announcement)> _announced;

    /// <param name="announcements">One per pool; a pool without one is not announced.</param>
    public AnnouncedAddresses(IReadOnlyList<AddressPool> pools, IReadOnlyList<PoolAnnouncement> announcements)
    {
        var byPool = announcements.ToDictionary(a => a.Pool, StringComparer.Ordinal);
        _announced = [.. pools
            .Select(p => (Pool: p, Announcement: byPool.GetValueOrDefault(p.Name)))
            .Where(p => p.Announcement is { IsAnnounced: true })
            .Select(p => (p.Pool, p.Announcement!))];
    }

    /// <summary>True when some pool is announced (only then do the replicas need to agree on owners).</summary>
    public bool Any => _announced.Count > 0;

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
}
