namespace Ferry.Membership;

/// <summary>One heartbeat as it travels: who sends, which process (incarnation), in which order, with which configuration.</summary>
internal sealed record HeartbeatDatagram(string Name, ulong Incarnation, ulong Sequence, string ConfigDigest, bool Leaving);
