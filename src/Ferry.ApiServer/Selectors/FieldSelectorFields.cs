using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Selectors;

/// <summary>
/// Which fields each resource supports in a field selector (kube-apiserver's per-kind <c>GetAttrs</c> /
/// <c>*ToSelectableFields</c> lists, plus <c>metadata.name</c> and <c>metadata.namespace</c> everywhere), and how
/// to read a field's value from a stored object.
/// </summary>
/// <remarks>Pure, static, thread-safe (frozen tables).</remarks>
public static class FieldSelectorFields
{
    private static readonly string[] _metadata = ["metadata.name", "metadata.namespace"];

    private static readonly FrozenDictionary<string, FrozenSet<string>> _byResource = new Dictionary<string, FrozenSet<string>>
    {
        ["pods"] = Set("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"),
        ["events"] = Set("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "source", "type"),
        ["nodes"] = Set("spec.unschedulable"),
        ["namespaces"] = Set("status.phase"),
        ["secrets"] = Set("type"),
        ["services"] = Set("spec.clusterIP", "spec.type"),
        ["replicasets"] = Set("status.replicas"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> _metadataOnly = Set();

    /// <summary>Fields whose Go type is a plain bool: a missing value reads as <c>false</c>.</summary>
    private static readonly FrozenSet<string> _booleanFields =
        FrozenSet.ToFrozenSet(["spec.unschedulable", "spec.hostNetwork"], StringComparer.Ordinal);

    /// <summary>
    /// The supported field names for a resource (plural, lower case: <c>services</c>, <c>events</c>, …).
    /// Unknown resources support only <c>metadata.name</c> and <c>metadata.namespace</c>.
    /// </summary>
    public static IReadOnlySet<string> For(string resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return _byResource.TryGetValue(resource, out var fields) ? fields : _metadataOnly;
    }

    /// <summary>The first field of <paramref name="selector"/> that <paramref name="resource"/> does not support.</summary>
    public static string? FindUnsupported(string resource, FieldSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var supported = For(resource);
        return selector.Requirements.Select(r => r.Field).FirstOrDefault(f => !supported.Contains(f));
    }

    /// <summary>kube-apiserver's 400 message for an unsupported field.</summary>
    public static string UnsupportedMessage(string field) => "field label not supported: " + field;

    /// <summary>
    /// Reads <paramref name="field"/> from <paramref name="obj"/> as the string the selector compares with;
    /// null when absent. Booleans read as <c>true</c>/<c>false</c>; the event field <c>source</c> reads
    /// <c>source.component</c> (falling back to <c>reportingComponent</c>, as upstream); <c>status.podIPs</c> reads
    /// the first pod IP.
    /// </summary>
    public static string? GetValue(JsonObject obj, string field)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(field);
        if (field == "source")
        {
            var component = GetValue(obj, "source.component");
            return string.IsNullOrEmpty(component) ? GetValue(obj, "reportingComponent") : component;
        }
        var path = field switch
        {
            "status.podIPs" => "status.podIPs.0.ip",
            _ => field,
        };

        JsonNode? node = obj;
        foreach (var segment in path.Split('.'))
        {
            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (node is null)
            {
                break;
            }
        }

        if (node is null)
        {
            return _booleanFields.Contains(field) ? "false" : null;
        }

        if (node is JsonValue value)
        {
            return value.GetValueKind() switch
            {
                JsonValueKind.String => value.GetValue<string>(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => value.ToJsonString(),
            };
        }

        return node.ToJsonString();
    }

    private static FrozenSet<string> Set(params string[] fields) =>
        FrozenSet.ToFrozenSet(_metadata.Concat(fields), StringComparer.Ordinal);
}
