using Ferry.Contracts;
using Ferry.Controller.Informers;
using k8s.Models;

namespace Ferry.Controller.Reconciliation;

/// <summary>The cluster as the informers' caches see it.</summary>
public sealed class InformerClusterView(ResourceInformer<V1Service> services, ResourceInformer<V1Node> nodes, ResourceInformer<V1EndpointSlice> slices) : IClusterView
{
    private readonly ResourceInformer<V1Service> _services = services;
    private readonly ResourceInformer<V1Node> _nodes = nodes;
    private readonly ResourceInformer<V1EndpointSlice> _slices = slices;

    public V1Service? GetService(ServiceKey key) => _services.Get(ObjectKeys.For(key.Namespace, key.Name));

    public IReadOnlyList<V1Service> ListServices() => _services.List();

    public IReadOnlyList<V1Node> ListNodes() => _nodes.List();

    public IReadOnlyList<V1EndpointSlice> EndpointSlicesFor(ServiceKey service) =>
        [.. _slices.List().Where(s => ServiceKeys.OwnerOf(s) == service)];
}
