using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Selectors;

/// <summary>
/// The one place where label and field selectors are parsed and evaluated, so list, watch and
/// deletecollection filter the same way.
/// </summary>
internal static class SelectorFilter
{
    /// <summary>Compiles both selectors into one predicate (null: everything); bad syntax or an unsupported field gives 400 BadRequest.</summary>
    public static Func<JsonObject, bool>? Compile(ResourceType type, string? labelSelector, string? fieldSelector)
    {
        LabelSelector labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelector.Parse(labelSelector);
            fields = FieldSelector.Parse(fieldSelector);
        }
        catch (SelectorParseException ex)
        {
            throw ApiErrors.BadRequest(ex.Message);
        }

        var supported = type.Group.Length == 0
            ? FieldSelectorFields.For(type.Plural)
            : (IReadOnlySet<string>)new HashSet<string>(type.FieldSelectors.Append("metadata.name").Append("metadata.namespace"), StringComparer.Ordinal);
        var unsupported = fields.Requirements.Select(r => r.Field).FirstOrDefault(f => !supported.Contains(f));
        if (unsupported is not null)
        {
            throw ApiErrors.BadRequest(FieldSelectorFields.UnsupportedMessage(unsupported));
        }

        var anyLabels = labelSelector is { Length: > 0 };
        var anyFields = !fields.IsEmpty;
        if (!anyLabels && !anyFields)
        {
            return null;
        }

        return o => (!anyLabels || labels.Matches(LabelsOf(o))) && (!anyFields || fields.Matches(f => FieldSelectorFields.GetValue(o, f)));
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
}
