using Ferry.Contracts;
using k8s.Models;

namespace Ferry.Controller;

/// <summary>The <see cref="ServiceKey"/> of Kubernetes objects: the one place the controller derives a Service's identity.</summary>
public static class ServiceKeys
{
    /// <summary>The label EndpointSlices carry with their Service's name.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The Service's namespace (<c>default</c> when unset, as the API server defaults it) and name.</summary>
    public static ServiceKey Of(V1Service service) =>
        new(service.Metadata?.NamespaceProperty ?? "default", service.Metadata?.Name ?? string.Empty);

    /// <summary>The Service an EndpointSlice belongs to (label <c>kubernetes.io/service-name</c>, same namespace), or null.</summary>
    public static ServiceKey? OwnerOf(V1EndpointSlice slice) =>
        slice.Metadata?.NamespaceProperty is { } serviceNamespace
            && slice.Metadata.Labels?.TryGetValue(ServiceNameLabel, out var name) == true
            ? new ServiceKey(serviceNamespace, name)
            : null;
}
