using System.Collections.Frozen;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// The strategic-merge metadata of every kind the embedded server serves (docs/kubernetes-api-contract.md, "Strategic-merge metadata"): which list
/// fields merge, and on which key. Lists not listed here are replaced wholesale; maps and structs always merge.
/// Paths are dotted field names with <c>[]</c> marking "inside a list element", e.g.
/// <c>spec.template.spec.containers[].env</c>.
/// </summary>
/// <remarks>Immutable, static and thread-safe.</remarks>
public sealed class PatchSchema
{
    private static readonly FrozenDictionary<string, PatchSchema> _byKind = BuildAll();
    private static readonly PatchSchema _metadataOnly = new(Common(new Dictionary<string, ListMergeMeta>(StringComparer.Ordinal), "metadata"));

    private readonly FrozenDictionary<string, ListMergeMeta> _lists;

    private PatchSchema(Dictionary<string, ListMergeMeta> lists)
    {
        _lists = lists.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// The schema of a kind (<c>Service</c>, <c>Pod</c>, <c>Deployment</c>, <c>Node</c>, <c>Namespace</c>,
    /// <c>Endpoints</c>, <c>EndpointSlice</c>, <c>Event</c>, <c>Lease</c>, <c>ConfigMap</c>, …). Unknown kinds get
    /// only the <c>ObjectMeta</c> rules (finalizers, ownerReferences), which every kind shares.
    /// </summary>
    public static PatchSchema For(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return _byKind.TryGetValue(kind, out var schema) ? schema : _metadataOnly;
    }

    /// <summary>The merge metadata of the list at <paramref name="path"/>, or null when the list is atomic.</summary>
    public ListMergeMeta? Lookup(string path) => _lists.GetValueOrDefault(path);

    /// <summary>Every merging list path of this kind (for documentation and tests).</summary>
    public IEnumerable<string> ListPaths => _lists.Keys;

    private static FrozenDictionary<string, PatchSchema> BuildAll()
    {
        var kinds = new Dictionary<string, PatchSchema>(StringComparer.Ordinal);

        var service = Common(New(), "metadata");
        service["spec.ports"] = Keyed("port", "port", "protocol");
        service["status.conditions"] = Keyed("type");
        kinds["Service"] = new PatchSchema(service);

        var node = Common(New(), "metadata");
        node["spec.podCIDRs"] = Set();
        node["status.conditions"] = Keyed("type");
        node["status.addresses"] = Keyed("type");
        kinds["Node"] = new PatchSchema(node);

        var pod = Common(New(), "metadata");
        PodSpec(pod, "spec");
        pod["status.conditions"] = Keyed("type");
        pod["status.podIPs"] = Keyed("ip");
        pod["status.hostIPs"] = Keyed("ip");
        pod["status.resourceClaimStatuses"] = Keyed("name");
        kinds["Pod"] = new PatchSchema(pod);

        var deployment = Common(New(), "metadata");
        Common(deployment, "spec.template.metadata");
        PodSpec(deployment, "spec.template.spec");
        deployment["status.conditions"] = Keyed("type");
        kinds["Deployment"] = new PatchSchema(deployment);

        var ns = Common(New(), "metadata");
        ns["status.conditions"] = Keyed("type");
        kinds["Namespace"] = new PatchSchema(ns);

        return kinds.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static Dictionary<string, ListMergeMeta> New() => new(StringComparer.Ordinal);

    private static Dictionary<string, ListMergeMeta> Common(Dictionary<string, ListMergeMeta> lists, string metadata)
    {
        lists[metadata + ".ownerReferences"] = Keyed("uid");
        lists[metadata + ".finalizers"] = Set();
        return lists;
    }

    private static void PodSpec(Dictionary<string, ListMergeMeta> lists, string prefix)
    {
        lists[prefix + ".volumes"] = Keyed("name");
        foreach (var containers in new[] { "initContainers", "containers", "ephemeralContainers" })
        {
            var path = prefix + "." + containers;
            lists[path] = Keyed("name");
            lists[path + "[].ports"] = Keyed("containerPort", "containerPort", "protocol");
            lists[path + "[].env"] = Keyed("name");
            lists[path + "[].volumeMounts"] = Keyed("mountPath");
            lists[path + "[].volumeDevices"] = Keyed("devicePath");
        }

        lists[prefix + ".imagePullSecrets"] = Keyed("name");
        lists[prefix + ".hostAliases"] = Keyed("ip");
        lists[prefix + ".topologySpreadConstraints"] = Keyed("topologyKey", "topologyKey", "whenUnsatisfiable");
        lists[prefix + ".schedulingGates"] = Keyed("name");
        lists[prefix + ".resourceClaims"] = Keyed("name");
    }

    private static ListMergeMeta Keyed(string mergeKey, params string[] applyKeys) =>
        new(mergeKey, applyKeys.Length == 0 ? [mergeKey] : applyKeys);

    private static ListMergeMeta Set() => new(null, []);
}
