using System.Collections.Immutable;

namespace Ferry.Membership;

/// <summary>
/// An immutable picture of the membership at one moment.
/// </summary>
/// <param name="Live">Names of the live replicas, sorted ordinally; includes this replica unless it has left.</param>
/// <param name="Peers">Every known peer (not this replica), sorted by name.</param>
public sealed record MembershipView(ImmutableArray<string> Live, ImmutableArray<PeerState> Peers)
{
    /// <summary>
    /// True once one failure timeout has passed since both the start and the first
    /// <see cref="HeartbeatMembership.SetPeers"/>: by then every live peer that knows this replica has been
    /// heard, so <see cref="Live"/> is complete. Before that, a replica that just started sees only itself
    /// and would wrongly take over its live peers' addresses.
    /// </summary>
    public bool Settled { get; init; }

    /// <summary>
    /// The live replicas that are ready to own work (sorted): this one once <see cref="HeartbeatMembership.SetReady"/>
    /// said so (and until it leaves), and each live peer whose heartbeats say it is. A replica that just
    /// started is live before it is ready: its peers keep what it would own until it can take it.
    /// </summary>
    public ImmutableArray<string> Candidates { get; init; } = [];
}
