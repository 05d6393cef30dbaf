using System.Collections.Immutable;
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

    /// <summary>
    /// Alive on its own heartbeats. False for a peer alive only because another live peer hears it (its
    /// heartbeats do not reach this replica: see the network between the two).
    /// </summary>
    public bool HeardDirectly { get; init; }

    /// <summary>
    /// The peer can own work: it has settled on its own peers and its caller said so
    /// (<see cref="HeartbeatMembership.SetReady"/>). A live peer that is not ready is no candidate yet.
    /// </summary>
    public bool Ready { get; init; }

    /// <summary>Hashes (<see cref="MembershipKeys.Hash"/>) of the keys the peer withdraws from, sorted.</summary>
    public ImmutableArray<ulong> WithdrawnHashes { get; init; } = [];

    /// <summary>True when the peer's last heartbeat withdrew it from <paramref name="key"/> (see <see cref="HeartbeatMembership.SetWithdrawn"/>).</summary>
    public bool Withdraws(string key) => !WithdrawnHashes.IsDefaultOrEmpty && WithdrawnHashes.BinarySearch(MembershipKeys.Hash(key)) >= 0;

    /// <summary>Equal when every field is, the withdrawn hashes element by element.</summary>
    public bool Equals(PeerState? other) =>
        other is not null
        && Name == other.Name && Equals(Endpoint, other.Endpoint) && Alive == other.Alive && LastHeard == other.LastHeard
        && ConfigDigest == other.ConfigDigest && Discovered == other.Discovered && Incarnation == other.Incarnation
        && HeardDirectly == other.HeardDirectly && Ready == other.Ready && WithdrawnHashes.AsSpan().SequenceEqual(other.WithdrawnHashes.AsSpan());

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Endpoint, Alive, LastHeard, ConfigDigest, Discovered, Incarnation, HeardDirectly);
}
