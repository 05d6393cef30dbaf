using System.Net;

namespace Ferry.Membership;

/// <summary>One change about one peer, for logging and for deciding that <see cref="HeartbeatMembership.Changed"/> fires.</summary>
/// <param name="Detail">Dead: the silence; Restarted: the old and new incarnations; DigestChanged: the new digest.</param>
internal sealed record PeerTransition(string Name, PeerTransitionKind Kind, IPEndPoint Endpoint, string? Detail = null);
