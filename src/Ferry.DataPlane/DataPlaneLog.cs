using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane;

/// <summary>
/// The provider's log messages: a load balancer applied, deleted or rejected (event ids 3900–3999).
/// The other parts log through their own classes: <c>ListenerLog</c> (3000s), <c>ForwardingLog</c>
/// (3100s), <c>HealthLog</c> (3200s), <c>FlowLog</c> (3300s), <c>BackendSetLog</c> (3400s).
/// </summary>
internal static partial class DataPlaneLog
{
    [LoggerMessage(3900, LogLevel.Information, "load balancer {LoadBalancer} applied: {Listeners} listeners, {Changes}")]
    public static partial void LoadBalancerApplied(ILogger logger, string loadBalancer, int listeners, string changes);

    [LoggerMessage(3901, LogLevel.Information, "load balancer {LoadBalancer} deleted")]
    public static partial void LoadBalancerDeleted(ILogger logger, string loadBalancer);

    [LoggerMessage(3903, LogLevel.Warning, "load balancer {LoadBalancer} applied ({Listeners} listeners, {Changes}) but not listening on {Failures}")]
    public static partial void LoadBalancerNotServing(ILogger logger, string loadBalancer, int listeners, string changes, string failures);

    [LoggerMessage(3902, LogLevel.Warning, "load balancer {LoadBalancer} rejected: {Errors}")]
    public static partial void LoadBalancerRejected(ILogger logger, string loadBalancer, string errors);
}
