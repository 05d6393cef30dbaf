using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Controller.Pools;

/// <summary>
/// MetalLB's configuration read as Ferry's (docs/migrating-from-metallb.md): each <c>IPAddressPool</c>
/// (metallb.io/v1beta1) becomes an <see cref="AddressPoolResource"/>, announced on layer 2 when an
/// <c>L2Advertisement</c> selects it; what Ferry does not support is said, never silently ignored. Pure.
/// </summary>
public sealed class MetalLbTranslation
{
    /// <summary>MetalLB's API group and the version of its pool and advertisement kinds.</summary>
    public const string Group = "metallb.io";

    /// <inheritdoc cref="Group"/>
    public const string Version = "v1beta1";

    private MetalLbTranslation(ImmutableArray<AddressPoolResource> pools, ImmutableDictionary<string, int> priorities, ImmutableArray<string> unsupported)
    {
        Pools = pools;
        Priorities = priorities;
        Unsupported = unsupported;
    }

    /// <summary>The pools, as if they were AddressPool objects (in name order).</summary>
    public ImmutableArray<AddressPoolResource> Pools { get; }

    /// <summary><c>serviceAllocation.priority</c> by pool name (lower first; pools without one come after).</summary>
    public ImmutableDictionary<string, int> Priorities { get; }

    /// <summary>One sentence per thing Ferry does not do as MetalLB would, naming the object.</summary>
    public ImmutableArray<string> Unsupported { get; }

    /// <summary>Translates the objects (as the API returns them).</summary>
    /// <param name="bgpObjects">Any BGPAdvertisement, BGPPeer, BFDProfile or Community objects: each is reported, none is used.</param>
    public static MetalLbTranslation From(IReadOnlyList<JsonObject> ipAddressPools, IReadOnlyList<JsonObject> l2Advertisements, IReadOnlyList<JsonObject> bgpObjects)
    {
        var unsupported = ImmutableArray.CreateBuilder<string>();
        foreach (var bgp in bgpObjects)
        {
            unsupported.Add($"{Describe(bgp)}: BGP is not supported yet; the pools it advertises are announced only if an L2Advertisement selects them");
        }

        var announcing = new List<(JsonObject Advertisement, ImmutableArray<string> Interfaces)>();
        foreach (var advertisement in l2Advertisements)
        {
            var spec = advertisement["spec"] as JsonObject ?? [];
            if (spec["nodeSelectors"] is JsonArray { Count: > 0 })
            {
                unsupported.Add($"{Describe(advertisement)}: nodeSelectors are not supported; every replica may announce its pools");
            }

            announcing.Add((advertisement, [.. Strings(spec["interfaces"])]));
        }

        var pools = ImmutableArray.CreateBuilder<AddressPoolResource>();
        var priorities = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var pool in ipAddressPools.OrderBy(p => Name(p), StringComparer.Ordinal))
        {
            var name = Name(pool);
            var spec = pool["spec"] as JsonObject ?? [];
            var allocation = spec["serviceAllocation"] as JsonObject;
            if (allocation?["namespaceSelectors"] is JsonArray { Count: > 0 } || allocation?["serviceSelectors"] is JsonArray { Count: > 0 })
            {
                // Serving every Service instead of the selected ones could hand an address to the wrong one: refused.
                unsupported.Add($"{Describe(pool)}: serviceAllocation.namespaceSelectors and serviceSelectors are not supported; the pool hands out no address");
                continue;
            }

            if (allocation?["priority"] is JsonValue priority && priority.TryGetValue<int>(out var value))
            {
                priorities[name] = value;
            }

            var selecting = announcing.Where(a => Selects(a.Advertisement, pool)).ToList();
            var interfaces = selecting.Any(a => a.Interfaces.IsEmpty) ? [] : selecting.SelectMany(a => a.Interfaces).Distinct(StringComparer.Ordinal).ToArray();
            var ferrySpec = new JsonObject
            {
                ["addresses"] = spec["addresses"]?.DeepClone(),
                ["autoAssign"] = spec["autoAssign"]?.DeepClone() ?? true,
                // MetalLB hands out every address of a CIDR, .0 and .255 included, unless avoidBuggyIPs.
                ["includeNetworkAndBroadcast"] = true,
                ["avoidBuggyIPs"] = spec["avoidBuggyIPs"]?.DeepClone() ?? false,
                ["announce"] = selecting.Count > 0 ? "l2" : "none",
            };
            if (allocation?["namespaces"] is JsonArray namespaces)
            {
                ferrySpec["namespaces"] = namespaces.DeepClone();
            }

            if (interfaces.Length > 0)
            {
                ferrySpec["interfaces"] = new JsonArray([.. interfaces.Select(i => (JsonNode?)JsonValue.Create(i))]);
            }

            pools.Add(AddressPoolResource.Parse(new JsonObject
            {
                ["apiVersion"] = "ferry.dev/v1alpha1",
                ["kind"] = "AddressPool",
                ["metadata"] = pool["metadata"]?.DeepClone(),
                ["spec"] = ferrySpec,
            }));
        }

        return new MetalLbTranslation(pools.ToImmutable(), priorities.ToImmutable(), unsupported.ToImmutable());
    }

    /// <summary>
    /// An advertisement selects the pools it names in <c>ipAddressPools</c>, those whose labels match one of its
    /// <c>ipAddressPoolSelectors</c> (<c>matchLabels</c>), or, when it has neither, every pool.
    /// </summary>
    private static bool Selects(JsonObject advertisement, JsonObject pool)
    {
        var spec = advertisement["spec"] as JsonObject ?? [];
        var names = Strings(spec["ipAddressPools"]).ToList();
        var selectors = (spec["ipAddressPoolSelectors"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (names.Count == 0 && selectors.Count == 0)
        {
            return true;
        }

        var labels = pool["metadata"]?["labels"] as JsonObject ?? [];
        return names.Contains(Name(pool), StringComparer.Ordinal)
            || selectors.Any(s => (s["matchLabels"] as JsonObject ?? []).All(l => labels[l.Key]?.GetValueKind() == JsonValueKind.String && (string?)labels[l.Key] == (string?)l.Value));
    }

    private static string Name(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? string.Empty;

    private static string Describe(JsonObject obj)
    {
        var ns = (string?)obj["metadata"]?["namespace"];
        return $"{(string?)obj["kind"] ?? "object"} {(string.IsNullOrEmpty(ns) ? string.Empty : ns + "/")}{Name(obj)}";
    }

    private static IEnumerable<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(n => n?.GetValueKind() == JsonValueKind.String ? (string?)n : null).OfType<string>();
}
