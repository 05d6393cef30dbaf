using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Informers;

/// <summary>
/// The Services, Nodes and EndpointSlices informers, built once per process and run by their owner. A
/// <c>ferry run</c> replica runs them for its whole life; its serving controller and, while it leads, the
/// service controller read the same caches, so the leader watches each resource once, not twice, and a
/// new term starts on warm caches.
/// </summary>
public sealed class ClusterInformers
{
    /// <param name="category">Prefix of the informers' logger categories (…<c>.Services</c>, …<c>.Nodes</c>, …<c>.EndpointSlices</c>).</param>
    public ClusterInformers(IKubernetes client, InformerOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory, string category = "Ferry.Controller.Informers")
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Services = new ResourceInformer<V1Service>(ResourceSources.Services(client), options, timeProvider, SharedRandomSource.Instance, loggerFactory.CreateLogger(category + ".Services"));
        Nodes = new ResourceInformer<V1Node>(ResourceSources.Nodes(client), options, timeProvider, SharedRandomSource.Instance, loggerFactory.CreateLogger(category + ".Nodes"));
        Slices = new ResourceInformer<V1EndpointSlice>(ResourceSources.EndpointSlices(client), options, timeProvider, SharedRandomSource.Instance, loggerFactory.CreateLogger(category + ".EndpointSlices"));
    }

    /// <summary>Every Service, cluster-wide.</summary>
    public ResourceInformer<V1Service> Services { get; }

    /// <summary>Every Node.</summary>
    public ResourceInformer<V1Node> Nodes { get; }

    /// <summary>Every EndpointSlice, cluster-wide.</summary>
    public ResourceInformer<V1EndpointSlice> Slices { get; }

    /// <summary>Lists and watches all three until cancelled (call once).</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Services.RunAsync(cancellationToken), Nodes.RunAsync(cancellationToken), Slices.RunAsync(cancellationToken));
}
