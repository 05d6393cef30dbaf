using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Flows;

/// <summary>The flow table's log messages (event ids 3300–3399).</summary>
internal static partial class FlowLog
{
    [LoggerMessage(3300, LogLevel.Debug, "{Listener}: closed a connection idle for {IdleSeconds:0} s")]
    public static partial void IdleClosed(ILogger logger, string listener, double idleSeconds);
}
