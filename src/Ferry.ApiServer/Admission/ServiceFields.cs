using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>Read and write helpers over a Service's JSON, plus upstream's type predicates. Pure.</summary>
public static class ServiceFields
{
    public const string ClusterIP = "ClusterIP";
    public const string NodePort = "NodePort";
    public const string LoadBalancer = "LoadBalancer";
    public const string ExternalName = "ExternalName";
    public const string None = "None";

    public static JsonObject? Spec(JsonObject service) => service["spec"] as JsonObject;

    /// <summary>The spec object, created when absent.</summary>
    public static JsonObject EnsureSpec(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service["spec"] is JsonObject spec)
        {
            return spec;
        }

        spec = [];
        service["spec"] = spec;
        return spec;
    }

    public static string Type(JsonObject service) => GetString(Spec(service), "type") ?? string.Empty;

    public static string? GetString(JsonObject? obj, string key) =>
        obj?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? GetInteger(JsonObject? obj, string key) => AsInteger(obj?[key]);

    /// <summary>
    /// An integral JSON number as <see cref="long"/>, whatever CLR type backs the node (parsed, or created from an
    /// <see cref="int"/> in code, where <c>TryGetValue&lt;long&gt;</c> alone would fail); null otherwise.
    /// </summary>
    public static long? AsInteger(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    public static bool? GetBoolean(JsonObject? obj, string key) => obj?[key] is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        }
        : null;

    public static IEnumerable<JsonObject> Ports(JsonObject service) =>
        (Spec(service)?["ports"] as JsonArray)?.OfType<JsonObject>() ?? [];

    public static IReadOnlyList<string> StringList(JsonObject? obj, string key) =>
        (obj?[key] as JsonArray)?.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty).ToList()
        ?? (IReadOnlyList<string>)[];

    /// <summary><c>spec.clusterIPs</c>, or <c>[spec.clusterIP]</c> when only the singular field is set.</summary>
    public static IReadOnlyList<string> ClusterIPs(JsonObject service)
    {
        var spec = Spec(service);
        var list = StringList(spec, "clusterIPs");
        if (list.Count > 0)
        {
            return list;
        }

        var single = GetString(spec, "clusterIP");
        return string.IsNullOrEmpty(single) ? [] : [single];
    }

    public static bool IsHeadless(JsonObject service)
    {
        var ips = ClusterIPs(service);
        return ips.Count > 0 && ips[0] == None;
    }

    /// <summary>Every type but ExternalName gets a cluster IP (or is headless).</summary>
    public static bool NeedsClusterIP(JsonObject service) => Type(service) != ExternalName;

    /// <summary>NodePort and LoadBalancer Services carry node ports (strategy.go <c>needsNodePort</c>).</summary>
    public static bool NeedsNodePort(JsonObject service) => Type(service) is NodePort or LoadBalancer;

    /// <summary>Whether node ports are allocated dynamically (LoadBalancer honours <c>allocateLoadBalancerNodePorts</c>).</summary>
    public static bool ShouldAllocateNodePorts(JsonObject service) => Type(service) switch
    {
        NodePort => true,
        LoadBalancer => GetBoolean(Spec(service), "allocateLoadBalancerNodePorts") ?? true,
        _ => false,
    };

    /// <summary><c>type: LoadBalancer</c> with <c>externalTrafficPolicy: Local</c> (<c>apiservice.NeedsHealthCheck</c>).</summary>
    public static bool NeedsHealthCheck(JsonObject service) =>
        Type(service) == LoadBalancer && GetString(Spec(service), "externalTrafficPolicy") == "Local";

    /// <summary>LoadBalancer, NodePort, or ClusterIP with external IPs (<c>apiservice.ExternallyAccessible</c>).</summary>
    public static bool ExternallyAccessible(JsonObject service) => Type(service) switch
    {
        LoadBalancer or NodePort => true,
        ClusterIP => StringList(Spec(service), "externalIPs").Count > 0,
        _ => false,
    };
}
