namespace Ferry.Membership;

/// <summary>What this replica says of itself in its heartbeats besides being alive: whether it is ready, and what it withdraws from.</summary>
public sealed partial class HeartbeatMembership
{
    /// <summary>
    /// Sets the keys this replica withdraws from, sent with every heartbeat from now on (as hashes: peers test
    /// a key with <see cref="PeerState.Withdraws"/>). What a key means is the caller's: the serving controller
    /// withdraws this node from Services whose local health check fails. At most
    /// <see cref="MaxWithdrawn"/>; the rest are left out and logged.
    /// </summary>
    public void SetWithdrawn(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var hashes = keys.Select(MembershipKeys.Hash).Distinct().Order().ToList();
        if (hashes.Count > MaxWithdrawn)
        {
            MembershipLog.TooManyWithdrawn(_logger, hashes.Count, MaxWithdrawn);
            hashes = hashes[..MaxWithdrawn];
        }

        Volatile.Write(ref _withdrawn, hashes);
    }

    /// <summary>
    /// Says whether this replica can own work (the serving controller: once the membership has settled and its
    /// caches are filled). Peers count it among <see cref="MembershipView.Candidates"/> from its next heartbeat
    /// on; until then, what it would own stays with them, so a replica that restarts (or cannot reach the API
    /// server to fill its caches) leaves no address unanswered.
    /// </summary>
    public void SetReady(bool ready)
    {
        if (Interlocked.Exchange(ref _ready, ready ? 1 : 0) != (ready ? 1 : 0))
        {
            _changes.Writer.TryWrite(true);
        }
    }

    /// <summary>The most keys one replica can withdraw from at a time (what one heartbeat carries).</summary>
    public const int MaxWithdrawn = HeartbeatCodec.MaxWithdrawn;
}
