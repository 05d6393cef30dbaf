using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// Generic <c>ObjectMeta</c> validation (apimachinery <c>ValidateObjectMeta</c> / <c>ValidateObjectMetaUpdate</c>):
/// name syntax per kind, namespace presence, label and annotation keys and values, immutable identity fields.
/// </summary>
/// <remarks>Pure and thread-safe.</remarks>
public static class ObjectMetaValidator
{
    /// <summary>The name rule of a kind: DNS-1035 label for Services, DNS-1123 label for Namespaces, DNS-1123
    /// subdomain for everything else.</summary>
    public static Func<string, IReadOnlyList<string>> NameRuleFor(string kind) => kind switch
    {
        "Service" => NameValidation.IsDns1035Label,
        "Namespace" => NameValidation.IsDns1123Label,
        _ => NameValidation.IsDns1123Subdomain,
    };

    /// <summary>Validates <c>metadata</c> of a new object.</summary>
    /// <param name="obj">The object.</param>
    /// <param name="namespaced">Whether the kind lives in a namespace (then <c>metadata.namespace</c> is required).</param>
    /// <param name="nameRule">The name syntax check (see <see cref="NameRuleFor"/>).</param>
    public static IReadOnlyList<FieldError> Validate(JsonObject obj, bool namespaced, Func<string, IReadOnlyList<string>> nameRule)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(nameRule);
        var errors = new List<FieldError>();
        var metadata = obj["metadata"] as JsonObject;
        var name = ServiceFields.GetString(metadata, "name") ?? string.Empty;
        var generateName = ServiceFields.GetString(metadata, "generateName") ?? string.Empty;
        if (generateName.Length > 0)
        {
            // A generated name may end in a dash: validate the prefix without it, as upstream's prefix mode.
            foreach (var message in nameRule(MaskTrailingDash(generateName)))
            {
                errors.Add(FieldErrors.Invalid("metadata.generateName", generateName, message));
            }
        }

        if (name.Length == 0)
        {
            errors.Add(FieldErrors.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            foreach (var message in nameRule(name))
            {
                errors.Add(FieldErrors.Invalid("metadata.name", name, message));
            }
        }

        var ns = ServiceFields.GetString(metadata, "namespace") ?? string.Empty;
        if (namespaced)
        {
            if (ns.Length == 0)
            {
                errors.Add(FieldErrors.Required("metadata.namespace"));
            }
            else
            {
                foreach (var message in NameValidation.IsDns1123Label(ns))
                {
                    errors.Add(FieldErrors.Invalid("metadata.namespace", ns, message));
                }
            }
        }
        else if (ns.Length > 0)
        {
            errors.Add(FieldErrors.Forbidden("metadata.namespace", "not allowed on this type"));
        }

        errors.AddRange(ValidateLabels(metadata?["labels"] as JsonObject, "metadata.labels"));
        if (metadata?["annotations"] is JsonObject annotations)
        {
            foreach (var (key, _) in annotations)
            {
                foreach (var message in NameValidation.IsQualifiedName(key.ToLowerInvariant()))
                {
                    errors.Add(FieldErrors.Invalid("metadata.annotations", key, message));
                }
            }
        }

        return errors;
    }

    /// <summary>Label map validation (<c>ValidateLabels</c>): qualified-name keys and label values.</summary>
    public static IReadOnlyList<FieldError> ValidateLabels(JsonObject? labels, string field)
    {
        var errors = new List<FieldError>();
        if (labels is null)
        {
            return errors;
        }

        foreach (var (key, value) in labels)
        {
            foreach (var message in NameValidation.IsQualifiedName(key))
            {
                errors.Add(FieldErrors.Invalid(field, key, message));
            }

            var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? string.Empty;
            foreach (var message in NameValidation.IsValidLabelValue(text))
            {
                errors.Add(FieldErrors.Invalid(field, text, message));
            }
        }

        return errors;
    }

    /// <summary>Update checks: name, namespace and uid may not change (<c>field is immutable</c>).</summary>
    public static IReadOnlyList<FieldError> ValidateUpdate(JsonObject updated, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(old);
        var errors = new List<FieldError>();
        foreach (var field in new[] { "name", "namespace", "uid" })
        {
            var newValue = ServiceFields.GetString(updated["metadata"] as JsonObject, field) ?? string.Empty;
            var oldValue = ServiceFields.GetString(old["metadata"] as JsonObject, field) ?? string.Empty;
            if (newValue != oldValue)
            {
                errors.Add(FieldErrors.Invalid("metadata." + field, newValue, "field is immutable"));
            }
        }

        return errors;
    }

    private static string MaskTrailingDash(string name) =>
        name.Length > 1 && name[^1] == '-' ? name[..^2] + "a" : name;
}
