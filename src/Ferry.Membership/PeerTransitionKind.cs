namespace Ferry.Membership;

/// <summary>What changed about a peer in the failure detector.</summary>
internal enum PeerTransitionKind
{
    /// <summary>Discovery listed a peer that was not known, or one known only from its heartbeats.</summary>
    Discovered,

    /// <summary>Discovery dropped a peer that is still alive: it stays, as learned, until it goes silent.</summary>
    Undiscovered,

    /// <summary>Discovery dropped a dead peer: it is gone.</summary>
    Removed,

    /// <summary>Discovery moved a peer to another endpoint.</summary>
    EndpointChanged,

    /// <summary>A heartbeat came from a peer nobody discovered.</summary>
    Learned,

    /// <summary>A peer was heard after silence (or for the first time).</summary>
    Alive,

    /// <summary>A peer was not heard within the failure timeout.</summary>
    Dead,

    /// <summary>A peer said it is leaving.</summary>
    Left,

    /// <summary>A peer was heard with a new incarnation: its process restarted.</summary>
    Restarted,

    /// <summary>A peer's configuration digest is new or changed.</summary>
    DigestChanged,

    /// <summary>A learned peer was silent past forget-after.</summary>
    Forgotten,

    /// <summary>A peer is alive only because another live peer hears it: its heartbeats do not reach this replica.</summary>
    Indirect,

    /// <summary>A peer alive only through vouches is heard directly again.</summary>
    Direct,

    /// <summary>The keys a peer withdraws from changed.</summary>
    WithdrawnChanged,

    /// <summary>A peer became ready to own work, or stopped being ready.</summary>
    ReadyChanged,
}
