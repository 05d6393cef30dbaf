namespace Ferry.Contracts.Announcement;

/// <summary>How one pool's addresses are announced.</summary>
/// <param name="Pool">The pool's name.</param>
/// <param name="Mode">Announced on the LAN by one replica at a time, or not at all.</param>
/// <param name="Interfaces">
/// The interfaces to announce on; empty means the interface whose subnet holds the address, else the
/// one with the default route.
/// </param>
public sealed record PoolAnnouncement(string Pool, AnnouncementMode Mode, EquatableArray<string> Interfaces)
{
    /// <summary>A pool Ferry does not announce.</summary>
    public static PoolAnnouncement NotAnnounced(string pool) => new(pool, AnnouncementMode.None, new EquatableArray<string>([]));

    public bool IsAnnounced => Mode != AnnouncementMode.None;
}
