using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Ferry.Contracts;
using Ferry.Controller.Pools;
using Ferry.Ipam;

namespace Ferry.Controller.Tests.Pools;

/// <summary>AddressPool objects as the API returns them, and allocations to count against them.</summary>
internal static class PoolObjects
{
    public static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>An AddressPool object; <paramref name="spec"/> replaces the default spec when given.</summary>
    public static JsonObject Json(
        string name, string[] addresses, DateTimeOffset? created = null, long generation = 1, bool deleting = false,
        string[]? finalizers = null, JsonObject? spec = null)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["uid"] = "uid-" + name,
            ["generation"] = generation,
            ["creationTimestamp"] = (created ?? Monday).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (deleting)
        {
            metadata["deletionTimestamp"] = "2026-03-09T09:00:00Z";
        }

        if (finalizers is not null)
        {
            metadata["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)f)]);
        }

        return new JsonObject
        {
            ["apiVersion"] = "ferry.dev/v1alpha1",
            ["kind"] = "AddressPool",
            ["metadata"] = metadata,
            ["spec"] = spec ?? new JsonObject { ["addresses"] = new JsonArray([.. addresses.Select(a => (JsonNode)a)]) },
        };
    }

    public static AddressPoolResource Resource(
        string name, string[] addresses, DateTimeOffset? created = null, long generation = 1, bool deleting = false, string[]? finalizers = null) =>
        AddressPoolResource.Parse(Json(name, addresses, created, generation, deleting, finalizers ?? [PoolFinalizer.Name]));

    /// <summary>The object parsed from its JSON text, as an informer hands it over.</summary>
    public static AddressPoolResource FromText(string json) => AddressPoolResource.Parse(JsonNode.Parse(json)!.AsObject());

    public static AddressPool Seed(string name, params string[] addresses) => new(name, [.. addresses.Select(AddressRange.Parse)]);

    public static Allocation Held(string service, string pool, params string[] addresses) =>
        new(ServiceKey.Parse(service), [.. addresses.Select(IPAddress.Parse)], pool, null, ImmutableArray<ServicePort>.Empty);

    public static Allocation Kept(string service, params string[] addresses) => Held(service, string.Empty, addresses) with { IsOutsidePools = true };
}
