using k8s.Models;

namespace Ferry.Controller.KubernetesApi;

/// <summary>
/// The controller's writes to a Service. As upstream, all of them go to the <c>status</c>
/// subresource with a strategic-merge patch, so they never race a user's spec edits.
/// </summary>
public interface IServiceWriter
{
    /// <summary>Adds the cleanup finalizer; returns the updated Service.</summary>
    Task<V1Service> AddFinalizerAsync(V1Service service, CancellationToken cancellationToken);

    /// <summary>Removes the cleanup finalizer; a Service already gone is not an error.</summary>
    Task RemoveFinalizerAsync(V1Service service, CancellationToken cancellationToken);

    /// <summary>Writes <c>status.loadBalancer</c>; a Service already gone is not an error.</summary>
    /// <returns>The Service as the server stored it (what it kept of the status), or null when it was gone.</returns>
    Task<V1Service?> PatchStatusAsync(V1Service service, V1LoadBalancerStatus status, CancellationToken cancellationToken);

    /// <summary>Sets one <c>status.conditions</c> entry (merged by <c>type</c>); a Service already gone is not an error.</summary>
    /// <returns>The Service as the server stored it, or null when it was gone.</returns>
    Task<V1Service?> PatchConditionAsync(V1Service service, V1Condition condition, CancellationToken cancellationToken);
}
