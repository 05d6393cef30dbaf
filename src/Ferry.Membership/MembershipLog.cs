using System.Net;
using Microsoft.Extensions.Logging;

namespace Ferry.Membership;

/// <summary>The membership's logs, with stable event ids (8600–8699).</summary>
internal static partial class MembershipLog
{
    /// <summary>Logs one peer transition: liveness at Information (death at Warning), bookkeeping at Debug.</summary>
    public static void Transition(ILogger logger, PeerTransition transition, string localDigest)
    {
        var (name, endpoint) = (transition.Name, transition.Endpoint);
        switch (transition.Kind)
        {
            case PeerTransitionKind.Alive:
                PeerAlive(logger, name, endpoint);
                break;
            case PeerTransitionKind.Dead:
                PeerDead(logger, name, endpoint, transition.Detail);
                break;
            case PeerTransitionKind.Left:
                PeerLeft(logger, name, endpoint);
                break;
            case PeerTransitionKind.Restarted:
                PeerRestarted(logger, name, endpoint, transition.Detail);
                break;
            case PeerTransitionKind.Learned:
                PeerLearned(logger, name, endpoint);
                break;
            case PeerTransitionKind.Forgotten:
                PeerForgotten(logger, name, endpoint);
                break;
            case PeerTransitionKind.Indirect:
                PeerHeardIndirectly(logger, name, endpoint, transition.Detail);
                break;
            case PeerTransitionKind.Direct:
                PeerHeardDirectlyAgain(logger, name, endpoint);
                break;
            case PeerTransitionKind.DigestChanged when !string.Equals(transition.Detail, localDigest, StringComparison.Ordinal):
                PeerConfigDigestDiffers(logger, name, endpoint, transition.Detail, localDigest);
                break;
            default:
                PeerChanged(logger, name, endpoint, transition.Kind);
                break;
        }
    }

    [LoggerMessage(EventId = 8600, EventName = "MembershipStarted", Level = LogLevel.Information,
        Message = "Membership of {LocalName} listening on UDP {Endpoint}: a heartbeat every {IntervalMs} ms, a peer is dead after {TimeoutMs} ms of silence; authenticated: {Authenticated}")]
    public static partial void Started(ILogger logger, string localName, IPEndPoint endpoint, double intervalMs, double timeoutMs, bool authenticated);

    [LoggerMessage(EventId = 8601, EventName = "PeerAlive", Level = LogLevel.Information,
        Message = "Peer {Peer} ({Endpoint}) is alive")]
    public static partial void PeerAlive(ILogger logger, string peer, IPEndPoint endpoint);

    [LoggerMessage(EventId = 8602, EventName = "PeerDead", Level = LogLevel.Warning,
        Message = "Peer {Peer} ({Endpoint}) is dead: not heard for {Silence}")]
    public static partial void PeerDead(ILogger logger, string peer, IPEndPoint endpoint, string? silence);

    [LoggerMessage(EventId = 8603, EventName = "PeerLeft", Level = LogLevel.Information,
        Message = "Peer {Peer} ({Endpoint}) left")]
    public static partial void PeerLeft(ILogger logger, string peer, IPEndPoint endpoint);

    [LoggerMessage(EventId = 8604, EventName = "PeerRestarted", Level = LogLevel.Information,
        Message = "Peer {Peer} ({Endpoint}) restarted (incarnation {Incarnations})")]
    public static partial void PeerRestarted(ILogger logger, string peer, IPEndPoint endpoint, string? incarnations);

    [LoggerMessage(EventId = 8605, EventName = "PeerConfigDigestDiffers", Level = LogLevel.Warning,
        Message = "Peer {Peer} ({Endpoint}) runs with configuration digest '{PeerDigest}', this replica with '{LocalDigest}': their pools files differ, so they may disagree on addresses")]
    public static partial void PeerConfigDigestDiffers(ILogger logger, string peer, IPEndPoint endpoint, string? peerDigest, string localDigest);

    [LoggerMessage(EventId = 8606, EventName = "DatagramDropped", Level = LogLevel.Warning,
        Message = "Dropped a membership datagram from {Source}: {Reason} (logged once a minute per source and reason; ferry_membership_datagrams_dropped_total counts them all)")]
    public static partial void DatagramDropped(ILogger logger, IPEndPoint source, string reason);

    [LoggerMessage(EventId = 8607, EventName = "PeerLearned", Level = LogLevel.Information,
        Message = "Heard from peer {Peer} at {Endpoint}, which discovery has not listed (yet)")]
    public static partial void PeerLearned(ILogger logger, string peer, IPEndPoint endpoint);

    [LoggerMessage(EventId = 8608, EventName = "PeerForgotten", Level = LogLevel.Information,
        Message = "Forgot peer {Peer} ({Endpoint}): silent for a long time and not listed by discovery")]
    public static partial void PeerForgotten(ILogger logger, string peer, IPEndPoint endpoint);

    [LoggerMessage(EventId = 8609, EventName = "HeartbeatSendFailed", Level = LogLevel.Warning,
        Message = "Could not send a heartbeat to peer {Peer} at {Endpoint}: {Error} (logged once a minute per peer)")]
    public static partial void SendFailed(ILogger logger, string peer, IPEndPoint endpoint, string error);

    [LoggerMessage(EventId = 8610, EventName = "ChangedHandlerFailed", Level = LogLevel.Error,
        Message = "A membership change handler threw")]
    public static partial void ChangedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8611, EventName = "MembershipLeft", Level = LogLevel.Information,
        Message = "{LocalName} left the membership: peers were told to stop counting on it")]
    public static partial void Left(ILogger logger, string localName);

    [LoggerMessage(EventId = 8612, EventName = "PeerUnreachableFamily", Level = LogLevel.Warning,
        Message = "Peer {Peer} at {Endpoint} cannot be reached from the membership socket on {Listen} (IPv4 and IPv6 do not mix; listen on [::] to reach both)")]
    public static partial void UnreachableFamily(ILogger logger, string peer, IPEndPoint endpoint, IPEndPoint listen);

    [LoggerMessage(EventId = 8613, EventName = "PeerMembershipChanged", Level = LogLevel.Debug,
        Message = "Peer {Peer} ({Endpoint}): {Change}")]
    public static partial void PeerChanged(ILogger logger, string peer, IPEndPoint endpoint, PeerTransitionKind change);

    [LoggerMessage(EventId = 8614, EventName = "ReceiveFailed", Level = LogLevel.Debug,
        Message = "A membership receive failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 8615, EventName = "PeerHeardIndirectly", Level = LogLevel.Warning,
        Message = "Peer {Peer} ({Endpoint}) is alive, but only {Voucher} hears it: its heartbeats do not reach this replica (check what filters UDP between the two nodes); it keeps its addresses")]
    public static partial void PeerHeardIndirectly(ILogger logger, string peer, IPEndPoint endpoint, string? voucher);

    [LoggerMessage(EventId = 8616, EventName = "PeerHeardDirectlyAgain", Level = LogLevel.Information,
        Message = "Peer {Peer} ({Endpoint}) is heard directly again")]
    public static partial void PeerHeardDirectlyAgain(ILogger logger, string peer, IPEndPoint endpoint);

    [LoggerMessage(EventId = 8617, EventName = "TooManyWithdrawn", Level = LogLevel.Warning,
        Message = "This replica withdraws from {Count} keys, but a heartbeat carries at most {Max}: peers are told of the first {Max} only")]
    public static partial void TooManyWithdrawn(ILogger logger, int count, int max);
}
