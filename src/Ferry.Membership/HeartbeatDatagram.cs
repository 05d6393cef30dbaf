namespace Ferry.Membership;

/// <summary>One heartbeat as it travels: who sends, which process (incarnation), in which order, with which configuration.</summary>
internal sealed record HeartbeatDatagram(string Name, ulong Incarnation, ulong Sequence, string ConfigDigest, bool Leaving)
{
    /// <summary>The peers the sender hears directly, each with how long ago (docs/design/0004-membership.md, "Indirect evidence").</summary>
    public IReadOnlyList<Vouch> Vouches { get; init; } = [];

    /// <summary>Hashes of the keys the sender withdraws from (<see cref="MembershipKeys.Hash"/>): work it must not be given.</summary>
    public IReadOnlyList<ulong> Withdrawn { get; init; } = [];

    /// <summary>The sender can own work: it has settled on its peers and its caller is ready (<see cref="HeartbeatMembership.SetReady"/>).</summary>
    public bool Ready { get; init; }

    /// <summary>Equal when every field is, the lists element by element.</summary>
    public bool Equals(HeartbeatDatagram? other) =>
        other is not null
        && Name == other.Name && Incarnation == other.Incarnation && Sequence == other.Sequence
        && ConfigDigest == other.ConfigDigest && Leaving == other.Leaving && Ready == other.Ready
        && Vouches.SequenceEqual(other.Vouches) && Withdrawn.SequenceEqual(other.Withdrawn);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Incarnation, Sequence, ConfigDigest, Leaving, Vouches.Count, Withdrawn.Count);
}

/// <summary>
/// The sender heard the peer whose name hashes to <paramref name="PeerHash"/> directly,
/// <paramref name="AgeMilliseconds"/> ago (at most <see cref="MaxAgeMilliseconds"/>), and that heartbeat said
/// whether the peer was <paramref name="Ready"/>.
/// </summary>
internal readonly record struct Vouch(ulong PeerHash, ushort AgeMilliseconds, bool Ready = true)
{
    /// <summary>Ages take 15 bits on the wire (the 16th is <see cref="Ready"/>); older hearing is not vouched for.</summary>
    public const int MaxAgeMilliseconds = 0x7FFF;
}
