using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane;

/// <summary>Every log message of the data plane, with stable event ids (Kestrel's SocketsLog style).</summary>
internal static partial class DataPlaneLog
{
    [LoggerMessage(1, LogLevel.Information, "{Listener}: listening on {EndPoint}")]
    public static partial void ListenerStarted(ILogger logger, string listener, EndPoint endPoint);

    [LoggerMessage(2, LogLevel.Error, "{Listener}: cannot listen on {EndPoint}: {Error}")]
    public static partial void ListenerBindFailed(ILogger logger, string listener, EndPoint endPoint, string error);

    [LoggerMessage(3, LogLevel.Information, "{Listener}: stopped listening on {EndPoint}")]
    public static partial void ListenerStopped(ILogger logger, string listener, EndPoint endPoint);

    [LoggerMessage(4, LogLevel.Warning, "{Listener}: transient accept error {Error} on {EndPoint}; continuing")]
    public static partial void AcceptTransientError(ILogger logger, string listener, EndPoint endPoint, SocketError error);

    [LoggerMessage(5, LogLevel.Error, "{Listener}: fatal accept error {Error} on {EndPoint}; listener stopped")]
    public static partial void AcceptFatalError(ILogger logger, string listener, EndPoint endPoint, SocketError error);

    [LoggerMessage(6, LogLevel.Warning, "{Listener}: connect to backend {Backend} failed: {Error}")]
    public static partial void BackendConnectFailed(ILogger logger, string listener, string backend, string error);

    [LoggerMessage(7, LogLevel.Debug, "{Listener}: refused client {Client} (not in loadBalancerSourceRanges)")]
    public static partial void SourceRangeRefused(ILogger logger, string listener, IPAddress client);

    [LoggerMessage(8, LogLevel.Warning, "{Listener}: no backend available for client {Client}")]
    public static partial void NoBackend(ILogger logger, string listener, IPAddress client);

    [LoggerMessage(9, LogLevel.Information, "{Listener}: backend {Backend} drained ({Remaining} connections closed at the deadline)")]
    public static partial void BackendDrained(ILogger logger, string listener, string backend, int remaining);

    [LoggerMessage(10, LogLevel.Information, "{Listener}: drained {EndPoint} ({Remaining} connections closed at the deadline)")]
    public static partial void ListenerDrained(ILogger logger, string listener, EndPoint endPoint, int remaining);

    [LoggerMessage(13, LogLevel.Debug, "{Listener}: closed a connection idle for {IdleSeconds:0} s")]
    public static partial void IdleClosed(ILogger logger, string listener, double idleSeconds);

    [LoggerMessage(14, LogLevel.Warning, "{Listener}: UDP flow table full ({MaxFlows}); dropping datagrams of new clients")]
    public static partial void UdpFlowTableFull(ILogger logger, string listener, int maxFlows);

    [LoggerMessage(15, LogLevel.Information, "load balancer {LoadBalancer} applied: {Listeners} listeners, {Changes}")]
    public static partial void LoadBalancerApplied(ILogger logger, string loadBalancer, int listeners, string changes);

    [LoggerMessage(16, LogLevel.Information, "load balancer {LoadBalancer} deleted")]
    public static partial void LoadBalancerDeleted(ILogger logger, string loadBalancer);

    [LoggerMessage(17, LogLevel.Warning, "load balancer {LoadBalancer} rejected: {Errors}")]
    public static partial void LoadBalancerRejected(ILogger logger, string loadBalancer, string errors);

    [LoggerMessage(18, LogLevel.Warning, "{Listener}: UDP receive error {Error} on {EndPoint}; continuing")]
    public static partial void UdpReceiveError(ILogger logger, string listener, EndPoint endPoint, SocketError error);

    [LoggerMessage(20, LogLevel.Error, "{Listener}: unexpected error handling a client on {EndPoint}; the listener goes on")]
    public static partial void UnexpectedClientError(ILogger logger, Exception exception, string listener, EndPoint endPoint);

    [LoggerMessage(19, LogLevel.Information, "{Listener}: passive health re-admits backend {Backend}")]
    public static partial void PassiveReactivated(ILogger logger, string listener, string backend);
}
