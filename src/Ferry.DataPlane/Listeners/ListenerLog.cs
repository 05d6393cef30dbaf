using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Listeners;

/// <summary>The listening sockets' log messages: bind, accept and receive, drain (event ids 3000–3099).</summary>
internal static partial class ListenerLog
{
    [LoggerMessage(3000, LogLevel.Information, "{Listener}: listening on {EndPoint}")]
    public static partial void ListenerStarted(ILogger logger, string listener, EndPoint endPoint);

    [LoggerMessage(3001, LogLevel.Error, "{Listener}: cannot listen on {EndPoint}: {Error}")]
    public static partial void ListenerBindFailed(ILogger logger, string listener, EndPoint endPoint, string error);

    [LoggerMessage(3002, LogLevel.Information, "{Listener}: stopped listening on {EndPoint}")]
    public static partial void ListenerStopped(ILogger logger, string listener, EndPoint endPoint);

    [LoggerMessage(3003, LogLevel.Warning, "{Listener}: transient accept error {Error} on {EndPoint}; continuing")]
    public static partial void AcceptTransientError(ILogger logger, string listener, EndPoint endPoint, SocketError error);

    [LoggerMessage(3004, LogLevel.Error, "{Listener}: fatal accept error {Error} on {EndPoint}; listener stopped")]
    public static partial void AcceptFatalError(ILogger logger, string listener, EndPoint endPoint, SocketError error);

    [LoggerMessage(3005, LogLevel.Warning, "{Listener}: UDP receive error {Error} on {EndPoint}; continuing")]
    public static partial void UdpReceiveError(ILogger logger, string listener, EndPoint endPoint, SocketError error);

    [LoggerMessage(3006, LogLevel.Warning, "{Listener}: UDP flow table full ({MaxFlows}); dropping datagrams of new clients")]
    public static partial void UdpFlowTableFull(ILogger logger, string listener, int maxFlows);

    [LoggerMessage(3007, LogLevel.Information, "{Listener}: drained {EndPoint} ({Remaining} connections closed at the deadline)")]
    public static partial void ListenerDrained(ILogger logger, string listener, EndPoint endPoint, int remaining);
}
