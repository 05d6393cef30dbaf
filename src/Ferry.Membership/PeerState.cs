using System.Net;

namespace Ferry.Membership;

/// <summary>
/// What this replica knows of one peer.
/// </summary>
/// <param name="Name">The peer's name (its node name).</param>
/// <param name="Endpoint">Where heartbeats go: the discovered endpoint, else the one the peer's heartbeats came from.</param>
/// <param name="Alive">Heard within the failure timeout, and not left.</param>
/// <param name="LastHeard">When its last accepted heartbeat arrived; null if never heard.</param>
/// <param name="ConfigDigest">The configuration digest its last heartbeat carried; null if never heard.</param>
/// <param name="Discovered">True while discovery (<see cref="HeartbeatMembership.SetPeers"/>) lists it; false for a peer learned only from its heartbeats.</param>
public sealed record PeerState(string Name, IPEndPoint Endpoint, bool Alive, DateTimeOffset? LastHeard, string? ConfigDigest, bool Discovered)
{
    /// <summary>The incarnation of the peer process last heard (a restarted replica has a new one); null if never heard.</summary>
    public ulong? Incarnation { get; init; }
}
