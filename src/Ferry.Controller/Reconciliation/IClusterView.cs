using Ferry.Contracts;
using k8s.Models;

namespace Ferry.Controller.Reconciliation;

/// <summary>The controller's read-only view of the cluster, served from informer caches.</summary>
public interface IClusterView
{
    /// <summary>The Service, or null if it does not exist.</summary>
    V1Service? GetService(ServiceKey key);

    IReadOnlyList<V1Service> ListServices();

    IReadOnlyList<V1Node> ListNodes();

    /// <summary>The EndpointSlices labelled <c>kubernetes.io/service-name</c> = the Service's name, in its namespace.</summary>
    IReadOnlyList<V1EndpointSlice> EndpointSlicesFor(ServiceKey service);
}
