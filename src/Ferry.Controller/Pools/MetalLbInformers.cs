using System.Text.Json.Nodes;
using Ferry.Controller.Informers;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Pools;

/// <summary>
/// The MetalLB objects the pool controller reads when the cluster has them: IPAddressPools and L2Advertisements
/// (used), and the BGP kinds (reported as not supported). Absent kinds are looked for again every <c>absentRetry</c>.
/// </summary>
public sealed class MetalLbInformers
{
    private readonly ResourceInformer<CustomObject> _pools;
    private readonly ResourceInformer<CustomObject> _l2;
    private readonly ResourceInformer<CustomObject>[] _bgp;

    public MetalLbInformers(IKubernetes client, InformerOptions options, TimeSpan absentRetry, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ResourceInformer<CustomObject> Informer(string version, string plural) => new(
            CustomObjectSources.Of(client, MetalLbTranslation.Group, version, plural, absentRetry),
            options, timeProvider, SharedRandomSource.Instance, loggerFactory.CreateLogger("Ferry.Controller.Informers.MetalLb"));
        _pools = Informer(MetalLbTranslation.Version, "ipaddresspools");
        _l2 = Informer(MetalLbTranslation.Version, "l2advertisements");
        _bgp = [Informer(MetalLbTranslation.Version, "bgpadvertisements"), Informer("v1beta2", "bgppeers")];
    }

    /// <summary>Every informer, to run and to listen to.</summary>
    public IReadOnlyList<ResourceInformer<CustomObject>> All => [_pools, _l2, .. _bgp];

    /// <summary>Runs every informer until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(All.Select(i => i.RunAsync(cancellationToken)));

    /// <summary>The cached objects as Ferry reads them.</summary>
    public MetalLbTranslation Translate() => MetalLbTranslation.From(Json(_pools), Json(_l2), [.. _bgp.SelectMany(Json)]);

    private static List<JsonObject> Json(ResourceInformer<CustomObject> informer) => [.. informer.List().Select(o => o.ToJson())];
}
