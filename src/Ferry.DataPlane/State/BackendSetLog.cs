using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.State;

/// <summary>The backend set's log messages: drains and passive re-admission (event ids 3400–3499).</summary>
internal static partial class BackendSetLog
{
    [LoggerMessage(3400, LogLevel.Information, "{Listener}: backend {Backend} drained ({Remaining} connections closed at the deadline)")]
    public static partial void BackendDrained(ILogger logger, string listener, string backend, int remaining);

    [LoggerMessage(3401, LogLevel.Information, "{Listener}: passive health re-admits backend {Backend}")]
    public static partial void PassiveReactivated(ILogger logger, string listener, string backend);
}
