using k8s;
using k8s.Models;

namespace Ferry.Controller.Informers;

/// <summary>The list and watch calls for the resources the controller watches, cluster-wide.</summary>
public static class ResourceSources
{
    public static ResourceSource<V1Service> Services(IKubernetes client) => new(
        "services",
        async ct =>
        {
            var list = await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct);
            return new ResourceList<V1Service>([.. list.Items], list.Metadata?.ResourceVersion ?? string.Empty);
        },
        (rv, timeout, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceSource<V1Node> Nodes(IKubernetes client) => new(
        "nodes",
        async ct =>
        {
            var list = await client.CoreV1.ListNodeAsync(cancellationToken: ct);
            return new ResourceList<V1Node>([.. list.Items], list.Metadata?.ResourceVersion ?? string.Empty);
        },
        (rv, timeout, onError, ct) => client.CoreV1.WatchListNodeAsync(
            allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static ResourceSource<V1EndpointSlice> EndpointSlices(IKubernetes client) => new(
        "endpointslices",
        async ct =>
        {
            var list = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(cancellationToken: ct);
            return new ResourceList<V1EndpointSlice>([.. list.Items], list.Metadata?.ResourceVersion ?? string.Empty);
        },
        (rv, timeout, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
}
