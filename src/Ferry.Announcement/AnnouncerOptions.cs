namespace Ferry.Announcement;

/// <summary>Settings of <see cref="LinuxAddressAnnouncer"/>.</summary>
public sealed record AnnouncerOptions
{
    /// <summary>The dummy device that carries the claimed addresses (created if missing); at most 15 characters.</summary>
    public string DeviceName { get; init; } = "ferry0";

    /// <summary>How many gratuitous ARP / unsolicited NA rounds a claim sends (the first at once).</summary>
    public int GratuitousCount { get; init; } = 5;

    /// <summary>
    /// The time between gratuitous rounds. 500 ms spreads five rounds over two seconds, so some land after
    /// Linux's neighbour <c>locktime</c> (1 s by default) even when another host announced the address a moment
    /// after the first round: a host ignores a gratuitous ARP for an entry updated less than <c>locktime</c> ago,
    /// which is what happens right after a failover (docs/design/0003-l2-announcement.md).
    /// </summary>
    public TimeSpan GratuitousInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a probe waits for an answer before the address counts as free; failover must stay under a second.</summary>
    public TimeSpan ProbeWait { get; init; } = TimeSpan.FromMilliseconds(250);
}
