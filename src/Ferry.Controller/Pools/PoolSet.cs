using System.Collections.Immutable;
using Ferry.Contracts.Announcement;
using Ferry.Ipam;

namespace Ferry.Controller.Pools;

/// <summary>
/// The pools the allocator and the serving side use, from the seed pools (the pools file) and the
/// <c>AddressPool</c> objects, with a <see cref="PoolVerdict"/> for each object.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An object replaces the seed pool of its name, whatever its verdict: the seed serves only names no
/// object uses, so a deleting or invalid object does not bring the seed back until the object is gone.</item>
/// <item>No address is in two serving pools. A seed pool takes precedence over an object of another name;
/// of two objects, one that serves already (an incumbent) keeps its addresses, else the older (by
/// <c>creationTimestamp</c>, then name), and the other is refused whole with <see cref="PoolVerdict.Overlap"/>:
/// a pool created in the same second as one in use, and overlapping it, never takes its place. Only serving pools refuse others, so a refused
/// pool blocks nothing.</item>
/// <item>A pool being deleted hands out no new address and claims no range: a replacement with the same
/// ranges serves at once, and the allocator moves the addresses Services kept over to it.</item>
/// </list>
/// The order of <see cref="Pools"/> is the seed order (an object in place of the seed it replaces), then
/// the other objects oldest first.
/// </remarks>
public sealed class PoolSet
{
    private PoolSet(ImmutableArray<AddressPool> pools, ImmutableArray<PoolAnnouncement> announcements, ImmutableDictionary<string, PoolVerdict> verdicts)
    {
        Pools = pools;
        Announcements = announcements;
        Verdicts = verdicts;
    }

    /// <summary>The pools that hand out addresses (for <c>IpAllocator.UpdatePools</c>).</summary>
    public ImmutableArray<AddressPool> Pools { get; }

    /// <summary>How each of <see cref="Pools"/> is announced, one per pool, in the same order.</summary>
    public ImmutableArray<PoolAnnouncement> Announcements { get; }

    /// <summary>The verdict of each object, by its name.</summary>
    public ImmutableDictionary<string, PoolVerdict> Verdicts { get; }

    /// <summary>Decides which pools serve; see the remarks for the precedence rules.</summary>
    /// <param name="seed">The pools of the pools file (may be empty).</param>
    /// <param name="seedAnnouncements">How the seed pools are announced; a seed pool without one is not announced.</param>
    /// <param name="objects">The <c>AddressPool</c> objects, in any order.</param>
    /// <param name="incumbents">The objects that served in the previous set (they keep precedence over newcomers); null for none.</param>
    /// <param name="priorities">
    /// MetalLB's <c>serviceAllocation.priority</c> by pool name: the allocator tries pools with a lower number first,
    /// pools without one last, each group in the order above.
    /// </param>
    public static PoolSet Build(
        IReadOnlyList<AddressPool> seed,
        IReadOnlyList<PoolAnnouncement> seedAnnouncements,
        IReadOnlyList<AddressPoolResource> objects,
        IReadOnlySet<string>? incumbents = null,
        IReadOnlyDictionary<string, int>? priorities = null)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(seedAnnouncements);
        ArgumentNullException.ThrowIfNull(objects);

        var byName = new Dictionary<string, AddressPoolResource>(StringComparer.Ordinal);
        foreach (var resource in objects)
        {
            byName.TryAdd(resource.Name, resource);
        }

        var ordered = byName.Values
            .OrderBy(o => incumbents?.Contains(o.Name) == true ? 0 : 1)
            .ThenBy(o => o.CreationTimestamp ?? DateTimeOffset.MaxValue)
            .ThenBy(o => o.Name, StringComparer.Ordinal)
            .ToList();
        var seedNames = seed.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var serving = seed.Where(p => !byName.ContainsKey(p.Name)).Select(p => new Claim(p, null)).ToList();
        var verdicts = ImmutableDictionary.CreateBuilder<string, PoolVerdict>(StringComparer.Ordinal);
        foreach (var resource in ordered)
        {
            var verdict = Judge(resource, serving, seedNames.Contains(resource.Name), incumbents);
            verdicts[resource.Name] = verdict;
            if (verdict.IsReady)
            {
                serving.Add(new Claim(resource.Pool!, resource));
            }
        }

        var accepted = serving.Where(c => c.Source is not null).ToDictionary(c => c.Pool.Name, StringComparer.Ordinal);
        var seedAnnouncementsByName = seedAnnouncements.GroupBy(a => a.Pool, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var pools = ImmutableArray.CreateBuilder<AddressPool>();
        var announcements = ImmutableArray.CreateBuilder<PoolAnnouncement>();
        foreach (var pool in seed)
        {
            if (!byName.ContainsKey(pool.Name))
            {
                pools.Add(pool);
                announcements.Add(seedAnnouncementsByName.GetValueOrDefault(pool.Name) ?? PoolAnnouncement.NotAnnounced(pool.Name));
            }
            else if (accepted.Remove(pool.Name, out var replacement))
            {
                pools.Add(replacement.Pool);
                announcements.Add(replacement.Source!.Announcement!);
            }
        }

        foreach (var claim in serving.Where(c => c.Source is not null && accepted.ContainsKey(c.Pool.Name)))
        {
            pools.Add(claim.Pool);
            announcements.Add(claim.Source!.Announcement!);
        }

        if (priorities is { Count: > 0 })
        {
            // A stable sort: pools of equal priority keep their order.
            var byPriority = pools.Zip(announcements)
                .Select((pair, index) => (pair.First, pair.Second, index))
                .OrderBy(p => priorities.TryGetValue(p.First.Name, out var priority) ? priority : int.MaxValue)
                .ThenBy(p => p.index)
                .ToList();
            return new PoolSet([.. byPriority.Select(p => p.First)], [.. byPriority.Select(p => p.Second)], verdicts.ToImmutable());
        }

        return new PoolSet(pools.ToImmutable(), announcements.ToImmutable(), verdicts.ToImmutable());
    }

    private static PoolVerdict Judge(AddressPoolResource resource, List<Claim> serving, bool replacesSeed, IReadOnlySet<string>? incumbents)
    {
        if (resource.IsDeleting)
        {
            return new PoolVerdict(false, PoolVerdict.Deleting, "deleted: the pool hands out no new addresses");
        }

        if (!resource.IsValid)
        {
            return new PoolVerdict(false, PoolVerdict.InvalidAddresses, string.Join("; ", resource.Errors));
        }

        var overlaps = (
            from range in resource.Pool.Ranges
            from claim in serving
            from other in claim.Pool.Ranges
            where range.Overlaps(other)
            select $"{range} overlaps {other} of {Describe(claim, resource, incumbents)}").ToList();
        if (overlaps.Count > 0)
        {
            return new PoolVerdict(false, PoolVerdict.Overlap, string.Join("; ", overlaps));
        }

        var message = $"hands out addresses from {string.Join(", ", resource.Pool.Ranges)}";
        return new PoolVerdict(true, PoolVerdict.Valid, replacesSeed ? $"{message}; replaces the pools file's pool of the same name" : message);
    }

    /// <summary>Names the pool that took precedence, and why it did.</summary>
    private static string Describe(Claim claim, AddressPoolResource refused, IReadOnlySet<string>? incumbents) => claim.Source switch
    {
        null => $"address pool \"{claim.Pool.Name}\" of the pools file, which takes precedence",
        { } first when incumbents?.Contains(first.Name) == true && incumbents?.Contains(refused.Name) != true =>
            $"address pool \"{first.Name}\", which is in use",
        { } older when older.CreationTimestamp == refused.CreationTimestamp =>
            $"address pool \"{older.Name}\", created at the same time and first by name",
        { } older => $"address pool \"{older.Name}\", which is older",
    };

    /// <summary>A serving pool, and the object it comes from (null for a seed pool).</summary>
    private sealed record Claim(AddressPool Pool, AddressPoolResource? Source);
}
