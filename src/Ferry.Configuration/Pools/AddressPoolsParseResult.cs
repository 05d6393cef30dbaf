using Ferry.Contracts.Announcement;
using Ferry.Ipam;

namespace Ferry.Configuration.Pools;

/// <summary>What <see cref="AddressPoolsFile.Parse"/> found: the pools, or every error (never both).</summary>
/// <param name="Pools">The pools in file order; empty when there are errors.</param>
/// <param name="Errors">Messages that start with the path of the offending field.</param>
public sealed record AddressPoolsParseResult(IReadOnlyList<AddressPool> Pools, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>How each pool is announced (the <c>announce</c> and <c>interfaces</c> keys), in file order; empty when there are errors.</summary>
    public IReadOnlyList<PoolAnnouncement> Announcements { get; init; } = [];
}
