using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Health;

/// <summary>
/// The health logs of the data plane, with stable event ids (3200–3299). Public so the listener code can log
/// transitions it observes itself (e.g. passive-only listeners) with the same ids and wording.
/// </summary>
public static partial class HealthLog
{
    [LoggerMessage(EventId = 3200, EventName = "BackendUp", Level = LogLevel.Information,
        Message = "Listener {Listener}: backend {Backend} is healthy again")]
    public static partial void BackendUp(ILogger logger, string listener, string backend);

    [LoggerMessage(EventId = 3201, EventName = "BackendDown", Level = LogLevel.Warning,
        Message = "Listener {Listener}: backend {Backend} is unhealthy: {Reason}")]
    public static partial void BackendDown(ILogger logger, string listener, string backend, string reason);

    [LoggerMessage(EventId = 3202, EventName = "FailOpenStarted", Level = LogLevel.Warning,
        Message = "Listener {Listener}: no backend is healthy; failing open across all {BackendCount} backends")]
    public static partial void FailOpenStarted(ILogger logger, string listener, int backendCount);

    [LoggerMessage(EventId = 3203, EventName = "FailOpenEnded", Level = LogLevel.Information,
        Message = "Listener {Listener}: a backend is healthy again; fail-open ended")]
    public static partial void FailOpenEnded(ILogger logger, string listener);

    [LoggerMessage(EventId = 3206, EventName = "AwaitingFirstCheck", Level = LogLevel.Debug,
        Message = "Listener {Listener}: no backend checked yet; serving all {BackendCount} until the first probes answer")]
    public static partial void AwaitingFirstCheck(ILogger logger, string listener, int backendCount);

    [LoggerMessage(EventId = 3204, EventName = "ProbeFailed", Level = LogLevel.Debug,
        Message = "Listener {Listener}: health probe of {Backend} failed: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string listener, string backend, string reason);

    [LoggerMessage(EventId = 3205, EventName = "ProbeError", Level = LogLevel.Warning,
        Message = "Listener {Listener}: health probe of {Backend} threw; counted as a failure")]
    public static partial void ProbeError(ILogger logger, string listener, string backend, Exception exception);
}
