using System.Collections.Immutable;
using System.Net;
using Ferry.Contracts;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Serving;

/// <summary>The serving controller's log lines (event ids 2620–2631).</summary>
public sealed partial class ServingController
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2620, Level = LogLevel.Information, Message = "Announcing {Address} on {Interfaces} (Services {Services})")]
        public static partial void Claimed(ILogger logger, IPAddress address, IEnumerable<string> interfaces, ImmutableArray<ServiceKey> services);

        [LoggerMessage(EventId = 2621, Level = LogLevel.Information, Message = "No longer announcing {Address}: its owner now is {Owner}")]
        public static partial void Released(ILogger logger, IPAddress address, string owner);

        [LoggerMessage(EventId = 2622, Level = LogLevel.Warning, Message = "Not announcing {Address}: {HardwareAddress} already answers for it on the LAN {Detail}")]
        public static partial void Conflict(ILogger logger, string address, string hardwareAddress, string detail);

        [LoggerMessage(EventId = 2623, Level = LogLevel.Warning, Message = "Cannot announce {Address}: {Error}")]
        public static partial void ClaimFailed(ILogger logger, string address, string error);

        [LoggerMessage(EventId = 2624, Level = LogLevel.Warning, Message = "Could not stop announcing {Address}: {Error}")]
        public static partial void ReleaseFailed(ILogger logger, string address, string error);

        [LoggerMessage(EventId = 2625, Level = LogLevel.Warning, Message = "Load balancer {Service} on this replica: {Error}")]
        public static partial void EnsureFailed(ILogger logger, string service, string error);

        [LoggerMessage(EventId = 2626, Level = LogLevel.Warning, Message = "Load balancer {Service} on this replica is not fully serving: {Failures}")]
        public static partial void NotFullyServing(ILogger logger, ServiceKey service, IEnumerable<string> failures);

        [LoggerMessage(EventId = 2628, Level = LogLevel.Information, Message = "Handing {Address} over to {Owner}: no longer answering for it, still serving it for {DrainMs} ms while clients move")]
        public static partial void Draining(ILogger logger, IPAddress address, string owner, double drainMs);

        [LoggerMessage(EventId = 2629, Level = LogLevel.Warning, Message = "Stopping: still answering for some addresses after {TimeoutMs} ms; leaving anyway")]
        public static partial void NotSilentInTime(ILogger logger, double timeoutMs);

        [LoggerMessage(EventId = 2630, Level = LogLevel.Warning, Message = "Could not announce {Address} again after a replica joined: {Error}")]
        public static partial void AnnounceAgainFailed(ILogger logger, string address, string error);

        [LoggerMessage(EventId = 2631, Level = LogLevel.Information, Message = "Node {Node} withdraws from the externalTrafficPolicy: Local Services whose healthCheckNodePort does not pass here (or has not answered yet): [{Services}]; the other replicas leave them to nodes whose check passes")]
        public static partial void Withdrawn(ILogger logger, string node, IEnumerable<string> services);

        [LoggerMessage(EventId = 2627, Level = LogLevel.Debug, Message = "Service {Service} not served here: {Errors}")]
        public static partial void NotTranslated(ILogger logger, ServiceKey service, IEnumerable<string> errors);
    }
}
