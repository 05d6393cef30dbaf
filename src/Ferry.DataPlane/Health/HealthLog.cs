using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Health;

/// <summary>
/// The health logs of the data plane, with stable event ids (200–299). Public so the listener code can log
/// transitions it observes itself (e.g. passive-only listeners) with the same ids and wording.
/// </summary>
public static partial class HealthLog
{
    [LoggerMessage(EventId = 200, EventName = "BackendUp", Level = LogLevel.Information,
        Message = "Listener {Listener}: backend {Backend} is healthy again")]
    public static partial void BackendUp(ILogger logger, string listener, string backend);

    [LoggerMessage(EventId = 201, EventName = "BackendDown", Level = LogLevel.Warning,
        Message = "Listener {Listener}: backend {Backend} is unhealthy: {Reason}")]
    public static partial void BackendDown(ILogger logger, string listener, string backend, string reason);

    [LoggerMessage(EventId = 202, EventName = "FailOpenStarted", Level = LogLevel.Warning,
        Message = "Listener {Listener}: no backend is healthy; failing open across all {BackendCount} backends")]
    public static partial void FailOpenStarted(ILogger logger, string listener, int backendCount);

    [LoggerMessage(EventId = 203, EventName = "FailOpenEnded", Level = LogLevel.Information,
        Message = "Listener {Listener}: a backend is healthy again; fail-open ended")]
    public static partial void FailOpenEnded(ILogger logger, string listener);

    [LoggerMessage(EventId = 204, EventName = "ProbeFailed", Level = LogLevel.Debug,
        Message = "Listener {Listener}: health probe of {Backend} failed: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string listener, string backend, string reason);

    [LoggerMessage(EventId = 205, EventName = "ProbeError", Level = LogLevel.Warning,
        Message = "Listener {Listener}: health probe of {Backend} threw; counted as a failure")]
    public static partial void ProbeError(ILogger logger, string listener, string backend, Exception exception);
}
