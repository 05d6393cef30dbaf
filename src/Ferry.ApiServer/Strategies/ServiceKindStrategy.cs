using System.Net;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.Contracts.Addressing;

namespace Ferry.ApiServer.Strategies;

/// <summary>
/// Services: an empty load-balancer status on create, and kube-apiserver's Service admission (defaulting,
/// strategy, ClusterIP/NodePort/healthCheckNodePort allocation, validation) on every write. Holds this
/// server's allocator, so there is one instance per server.
/// </summary>
internal sealed class ServiceKindStrategy : KindStrategy
{
    private readonly ServiceAllocator _allocator;
    private readonly ServiceAdmission _admission;
    private readonly KubernetesVersion _version;

    public ServiceKindStrategy(ServiceAllocatorOptions? options, KubernetesVersion version)
    {
        _version = version;
        _allocator = new ServiceAllocator(options);
        _admission = new ServiceAdmission(_allocator);
    }

    /// <summary>The first usable address of the service range, which belongs to <c>default/kubernetes</c>.</summary>
    public string KubernetesServiceIp
    {
        get
        {
            // The allocator normalised its CIDR at start, so it parses.
            _ = NetworkText.TryParseCidr(_allocator.ServiceCidr, out var address, out _);
            var network = address.GetAddressBytes();
            network[3]++;
            return new IPAddress(network).ToString();
        }
    }

    /// <summary>Rebuilds allocator state from the stored Services at start.</summary>
    public void Rebuild(IEnumerable<JsonObject> services) => _allocator.Rebuild(services);

    public override void PrepareForCreate(JsonObject obj) => obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };

    public override IReadOnlyList<FieldError> AdmitCreate(JsonObject obj, bool dryRun) => _admission.AdmitCreate(obj, dryRun);

    public override IReadOnlyList<FieldError> AdmitUpdate(JsonObject updated, JsonObject old, bool status, bool dryRun) =>
        status ? ServiceAdmission.AdmitStatusUpdate(old, updated, _version.HasLoadBalancerIPMode) : _admission.AdmitUpdate(old, updated, dryRun);

    /// <summary>Before 1.30 a status write loses <c>ipMode</c>, as a field the server's schema does not have.</summary>
    public override IReadOnlyList<string> PruneUnknownFields(JsonObject updated, bool status) =>
        status && !_version.HasLoadBalancerIPMode ? ServiceStrategy.DropIngressIpMode(updated) : [];

    /// <summary>Upstream's Service warnings on main-resource writes; its status strategy has none.</summary>
    public override IReadOnlyList<string> Warnings(JsonObject obj, bool status) => status ? [] : ServiceWarnings.For(obj);

    public override void Released(JsonObject obj) => _admission.Deleted(obj);
}
