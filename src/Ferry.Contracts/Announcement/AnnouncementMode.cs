namespace Ferry.Contracts.Announcement;

/// <summary>How a pool's addresses reach the network (the pools file's <c>announce</c> key).</summary>
public enum AnnouncementMode
{
    /// <summary>Ferry does not announce them: the operator routes them to the replica that leads (the default).</summary>
    None,

    /// <summary>
    /// One replica at a time answers ARP (IPv4) and neighbour solicitations (IPv6) for each address on
    /// the node's LAN and serves it; another takes over within a second when it fails.
    /// </summary>
    Layer2,
}
