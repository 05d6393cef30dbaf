using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Hooks;

/// <summary>
/// The one place where label and field selectors are parsed and evaluated, so list, watch and
/// deletecollection filter the same way.
/// </summary>
internal static class SelectorHook
{
    /// <summary>Compiles both selectors into one predicate; bad syntax or an unsupported field gives 400 BadRequest.</summary>
    public static Func<JsonObject, bool>? Compile(ResourceType type, string? labelSelector, string? fieldSelector)
    {
        Func<JsonObject, bool>? labels = null;
        Func<JsonObject, bool>? fields = null;
        if (!string.IsNullOrWhiteSpace(labelSelector))
        {
            SimpleLabelSelector parsed;
            try
            {
                parsed = SimpleLabelSelector.Parse(labelSelector);
            }
            catch (FormatException ex)
            {
                throw ApiErrors.BadRequest("unable to parse requirement: " + ex.Message);
            }

            labels = o => parsed.Matches(LabelsOf(o));
        }

        if (!string.IsNullOrWhiteSpace(fieldSelector))
        {
            var clauses = ParseFieldSelector(type, fieldSelector);
            fields = o => clauses.TrueForAll(c => (FieldValue(o, c.Field) == c.Value) != c.Negated);
        }

        return (labels, fields) switch
        {
            (null, null) => null,
            ({ } l, null) => l,
            (null, { } f) => f,
            ({ } l, { } f) => o => l(o) && f(o),
        };
    }

    /// <summary>The labels of an object as a dictionary (empty when absent).</summary>
    public static Dictionary<string, string> LabelsOf(JsonObject o)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (k, v) in labels)
            {
                if (v is JsonValue jv && jv.TryGetValue<string>(out var s))
                {
                    result[k] = s;
                }
            }
        }

        return result;
    }

    private static List<(string Field, string Value, bool Negated)> ParseFieldSelector(ResourceType type, string text)
    {
        var clauses = new List<(string, string, bool)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            string field;
            string value;
            var negated = false;
            int i;
            if ((i = part.IndexOf("!=", StringComparison.Ordinal)) > 0)
            {
                negated = true;
                field = part[..i];
                value = part[(i + 2)..];
            }
            else if ((i = part.IndexOf("==", StringComparison.Ordinal)) > 0)
            {
                field = part[..i];
                value = part[(i + 2)..];
            }
            else if ((i = part.IndexOf('=', StringComparison.Ordinal)) > 0)
            {
                field = part[..i];
                value = part[(i + 1)..];
            }
            else
            {
                throw ApiErrors.BadRequest("invalid selector: '" + text + "'; can't understand '" + part + "'");
            }

            field = field.Trim();
            if (field != "metadata.name" && field != "metadata.namespace" && !type.FieldSelectors.Contains(field))
            {
                throw ApiErrors.BadRequest("field label not supported: " + field);
            }

            clauses.Add((field, value.Trim(), negated));
        }

        return clauses;
    }

    private static string FieldValue(JsonObject o, string field)
    {
        if (field == "source")
        {
            field = "source.component";
        }

        JsonNode? node = o;
        foreach (var part in field.Split('.'))
        {
            node = node is JsonObject obj ? obj[part] : null;
        }

        return node switch
        {
            null => field == "spec.unschedulable" ? "false" : string.Empty,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            _ => node.ToJsonString(),
        };
    }
}
