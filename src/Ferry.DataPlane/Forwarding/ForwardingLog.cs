using System.Net;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Forwarding;

/// <summary>What happens to one client: refused, no backend, failed connects (event ids 3100–3199).</summary>
internal static partial class ForwardingLog
{
    [LoggerMessage(3100, LogLevel.Warning, "{Listener}: connect to backend {Backend} failed: {Error}")]
    public static partial void BackendConnectFailed(ILogger logger, string listener, string backend, string error);

    [LoggerMessage(3101, LogLevel.Debug, "{Listener}: refused client {Client} (not in loadBalancerSourceRanges)")]
    public static partial void SourceRangeRefused(ILogger logger, string listener, IPAddress client);

    [LoggerMessage(3102, LogLevel.Warning, "{Listener}: no backend available for client {Client}")]
    public static partial void NoBackend(ILogger logger, string listener, IPAddress client);

    [LoggerMessage(3103, LogLevel.Error, "{Listener}: unexpected error handling a client on {EndPoint}; the listener goes on")]
    public static partial void UnexpectedClientError(ILogger logger, Exception exception, string listener, EndPoint endPoint);
}
