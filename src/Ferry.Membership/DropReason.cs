namespace Ferry.Membership;

/// <summary>Why a received datagram was not taken as a heartbeat (the <c>reason</c> label of the dropped counter).</summary>
internal enum DropReason
{
    /// <summary>Not a Ferry heartbeat, or cut short.</summary>
    Malformed,

    /// <summary>A heartbeat of a protocol version this build does not speak.</summary>
    UnsupportedVersion,

    /// <summary>The HMAC is wrong, missing while a key is configured, or present while none is.</summary>
    BadKey,

    /// <summary>Older than what was already heard from that peer (reordered or replayed).</summary>
    Stale,

    /// <summary>Carries this replica's name from another process: two replicas share a name.</summary>
    DuplicateName,
}
