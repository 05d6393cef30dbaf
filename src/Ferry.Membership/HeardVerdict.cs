namespace Ferry.Membership;

/// <summary>What the failure detector made of one heartbeat.</summary>
internal enum HeardVerdict
{
    /// <summary>Taken into account.</summary>
    Accepted,

    /// <summary>Older than what was heard already (reordered or replayed): ignored.</summary>
    Stale,

    /// <summary>Carries the local name: not a peer.</summary>
    Self,
}
