using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Hooks;

/// <summary>
/// The one place where kind-specific admission runs: ObjectMeta validation for every kind, and for Services
/// kube-apiserver's defaulting, strategy, ClusterIP/NodePort/healthCheckNodePort allocation and validation.
/// Called under the store lock, so allocations and writes are serialized together.
/// </summary>
internal sealed class AdmissionHook
{
    private readonly ResourceType _services;
    private readonly ResourceType _namespaces;
    private readonly ServiceAllocator _allocator;
    private readonly ServiceAdmission _serviceAdmission;

    public AdmissionHook(ResourceCatalog catalog, ServiceAllocatorOptions? options = null)
    {
        _services = catalog.Services;
        _namespaces = catalog.Namespaces;
        _allocator = new ServiceAllocator(options);
        _serviceAdmission = new ServiceAdmission(_allocator);
    }

    /// <summary>The first usable address of the service range, which belongs to <c>default/kubernetes</c>.</summary>
    public string KubernetesServiceIp
    {
        get
        {
            var network = System.Net.IPAddress.Parse(_allocator.ServiceCidr.Split('/')[0]).GetAddressBytes();
            network[3]++;
            return new System.Net.IPAddress(network).ToString();
        }
    }

    /// <summary>Rebuilds allocator state from the stored Services at start.</summary>
    public void Rebuild(IEnumerable<JsonObject> services) => _allocator.Rebuild(services);

    /// <summary>Defaults, validates and allocates for a new object; throws a Status error when invalid.</summary>
    public void OnCreate(ResourceType type, JsonObject obj, bool dryRun)
    {
        if (type == _namespaces)
        {
            NamespaceDefaulter.ApplyDefaults(obj);
        }

        var errors = new List<FieldError>(ObjectMetaValidator.Validate(obj, type.Namespaced, ObjectMetaValidator.NameRuleFor(type.Kind)));
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(type, NameOf(obj), errors);
        }

        if (type == _services)
        {
            Throw(type, obj, _serviceAdmission.AdmitCreate(obj, dryRun));
        }
    }

    /// <summary>Defaults, validates and (re)allocates for an update of <paramref name="old"/> into <paramref name="obj"/>.</summary>
    public void OnUpdate(ResourceType type, JsonObject obj, JsonObject old, bool status, bool dryRun)
    {
        if (type == _namespaces)
        {
            NamespaceDefaulter.ApplyDefaults(obj);
        }

        Throw(type, obj, ObjectMetaValidator.ValidateUpdate(obj, old));
        if (type != _services)
        {
            return;
        }

        Throw(type, obj, status ? ServiceAdmission.AdmitStatusUpdate(old, obj) : _serviceAdmission.AdmitUpdate(old, obj, dryRun));
    }

    /// <summary>Releases what the object held once it is really gone.</summary>
    public void OnDelete(ResourceType type, JsonObject obj)
    {
        if (type == _services)
        {
            _serviceAdmission.Deleted(obj);
        }
    }

    private static string NameOf(JsonObject obj) => JsonRead.Str(obj["metadata"]?["name"]);

    private static void Throw(ResourceType type, JsonObject obj, IReadOnlyList<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(type, NameOf(obj), errors);
        }
    }
}
