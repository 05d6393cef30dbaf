namespace Ferry.Membership;

/// <summary>The verdict on one heartbeat and the transitions it caused (empty for a routine heartbeat).</summary>
internal readonly record struct HeardResult(HeardVerdict Verdict, IReadOnlyList<PeerTransition> Transitions);
