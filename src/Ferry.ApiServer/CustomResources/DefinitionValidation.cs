using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.CustomResources.Schema;
using Ferry.ApiServer.Objects;

namespace Ferry.ApiServer.CustomResources;

/// <summary>
/// Admission of a CustomResourceDefinition (after apiextensions-apiserver's
/// <c>pkg/apis/apiextensions/validation/validation.go</c>), for what this server supports: one storage version,
/// conversion <c>None</c>, a structural schema per version, printer columns; names immutable once established.
/// </summary>
internal static class DefinitionValidation
{
    private static readonly string[] _scopes = ["Cluster", "Namespaced"];
    private static readonly string[] _columnTypes = ["boolean", "date", "integer", "number", "string"];
    private static readonly string[] _columnFormats = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];

    /// <summary>The errors of a new definition, or of an update of <paramref name="old"/>.</summary>
    public static List<FieldError> Validate(JsonObject definition, JsonObject? old)
    {
        var errors = new List<FieldError>();
        var spec = definition["spec"] as JsonObject ?? [];
        var group = JsonRead.Str(spec["group"]);
        var names = spec["names"] as JsonObject ?? [];
        var plural = JsonRead.Str(names["plural"]);
        var name = JsonRead.Str(definition["metadata"]?["name"]);
        if (name.Length > 0 && name != plural + "." + group)
        {
            errors.Add(FieldErrors.Invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
        }

        if (group.Length == 0)
        {
            errors.Add(FieldErrors.Required("spec.group"));
        }
        else if (NameValidation.IsDns1123Subdomain(group) is { Count: > 0 } groupErrors)
        {
            errors.Add(FieldErrors.Invalid("spec.group", group, string.Join(",", groupErrors)));
        }
        else if (!group.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(FieldErrors.Invalid("spec.group", group, "should be a domain with at least one dot"));
        }

        var scope = JsonRead.Str(spec["scope"]);
        if (scope.Length == 0)
        {
            errors.Add(FieldErrors.Required("spec.scope"));
        }
        else if (!_scopes.Contains(scope))
        {
            errors.Add(FieldErrors.NotSupported("spec.scope", spec["scope"], _scopes));
        }

        ValidateVersions(spec, errors);
        ValidateNames(names, errors);
        var strategy = JsonRead.Str(spec["conversion"]?["strategy"]);
        if (strategy.Length > 0 && strategy != "None")
        {
            // This server has no conversion webhooks: every version is the stored object with its own apiVersion.
            errors.Add(FieldErrors.NotSupported("spec.conversion.strategy", spec["conversion"]!["strategy"], "None"));
        }

        if (old is not null)
        {
            ValidateUpdate(definition, old, errors);
        }

        return errors;
    }

    private static void ValidateVersions(JsonObject spec, List<FieldError> errors)
    {
        var versions = spec["versions"] as JsonArray ?? [];
        if (versions.Count == 0)
        {
            errors.Add(FieldErrors.Required("spec.versions", "must have exactly one version marked as storage version"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var storageCount = 0;
        for (var i = 0; i < versions.Count; i++)
        {
            var path = $"spec.versions[{i}]";
            var version = versions[i] as JsonObject ?? [];
            var versionName = JsonRead.Str(version["name"]);
            if (NameValidation.IsDns1035Label(versionName) is { Count: > 0 } nameErrors)
            {
                errors.Add(FieldErrors.Invalid(path + ".name", versionName, string.Join(",", nameErrors)));
            }

            if (!seen.Add(versionName))
            {
                errors.Add(FieldErrors.Invalid("spec.versions", versionName, "must contain unique version names"));
            }

            if (version["storage"]?.GetValueKind() == JsonValueKind.True)
            {
                storageCount++;
            }

            if (version["schema"]?["openAPIV3Schema"] is not JsonObject schema)
            {
                errors.Add(FieldErrors.Required(path + ".schema.openAPIV3Schema", "schemas are required"));
            }
            else
            {
                errors.AddRange(StructuralSchemaCheck.Validate(schema, path + ".schema.openAPIV3Schema"));
                if (version["subresources"]?["status"] is JsonObject && JsonRead.Str(schema["type"]) is { Length: > 0 } rootType && rootType != "object")
                {
                    errors.Add(FieldErrors.Invalid(path + ".schema.openAPIV3Schema.type", rootType, "only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled"));
                }
            }

            ValidateColumns(version["additionalPrinterColumns"] as JsonArray ?? [], path + ".additionalPrinterColumns", errors);
        }

        if (storageCount != 1)
        {
            errors.Add(FieldErrors.Invalid("spec.versions", storageCount.ToString(System.Globalization.CultureInfo.InvariantCulture) + " storage versions", "must have exactly one version marked as storage version"));
        }
    }

    private static void ValidateColumns(JsonArray columns, string path, List<FieldError> errors)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i] as JsonObject ?? [];
            var at = $"{path}[{i}]";
            if (JsonRead.Str(column["name"]).Length == 0)
            {
                errors.Add(FieldErrors.Required(at + ".name"));
            }

            var type = JsonRead.Str(column["type"]);
            if (type.Length == 0)
            {
                errors.Add(FieldErrors.Required(at + ".type", "must be one of " + string.Join(",", _columnTypes)));
            }
            else if (!_columnTypes.Contains(type))
            {
                errors.Add(FieldErrors.Invalid(at + ".type", type, "must be one of " + string.Join(",", _columnTypes)));
            }

            var format = JsonRead.Str(column["format"]);
            if (format.Length > 0 && !_columnFormats.Contains(format))
            {
                errors.Add(FieldErrors.Invalid(at + ".format", format, "must be one of " + string.Join(",", _columnFormats)));
            }

            if (JsonRead.Str(column["jsonPath"]).Length == 0)
            {
                errors.Add(FieldErrors.Required(at + ".JSONPath"));
            }
        }
    }

    private static void ValidateNames(JsonObject names, List<FieldError> errors)
    {
        CheckLabel(names, "plural", "spec.names.plural", mixedCase: false, errors);
        CheckLabel(names, "singular", "spec.names.singular", mixedCase: false, errors);
        CheckLabel(names, "kind", "spec.names.kind", mixedCase: true, errors);
        CheckLabel(names, "listKind", "spec.names.listKind", mixedCase: true, errors);
        var shortNames = names["shortNames"] as JsonArray ?? [];
        for (var i = 0; i < shortNames.Count; i++)
        {
            var shortName = JsonRead.Str(shortNames[i]);
            if (NameValidation.IsDns1035Label(shortName) is { Count: > 0 } messages)
            {
                errors.Add(FieldErrors.Invalid($"spec.names.shortNames[{i}]", shortName, string.Join(",", messages)));
            }
        }

        var kind = JsonRead.Str(names["kind"]);
        if (kind.Length > 0 && kind == JsonRead.Str(names["listKind"]))
        {
            errors.Add(FieldErrors.Invalid("spec.names.listKind", kind, "kind and listKind may not be the same"));
        }
    }

    private static void CheckLabel(JsonObject names, string key, string path, bool mixedCase, List<FieldError> errors)
    {
        var value = JsonRead.Str(names[key]);
        if (value.Length == 0)
        {
            errors.Add(FieldErrors.Required(path));
            return;
        }

        if (NameValidation.IsDns1035Label(mixedCase ? value.ToLowerInvariant() : value) is { Count: > 0 } messages)
        {
            errors.Add(FieldErrors.Invalid(path, value, (mixedCase ? "may have mixed case, but should otherwise match: " : string.Empty) + string.Join(",", messages)));
        }
    }

    private static void ValidateUpdate(JsonObject definition, JsonObject old, List<FieldError> errors)
    {
        Immutable(definition, old, "group", "spec.group", errors);
        Immutable(definition, old, "names.plural", "spec.names.plural", errors);
        if (DefinitionStatus.IsTrue(old, DefinitionNames.Established))
        {
            Immutable(definition, old, "scope", "spec.scope", errors);
            Immutable(definition, old, "names.kind", "spec.names.kind", errors);
        }

        var versions = (definition["spec"]?["versions"] as JsonArray ?? []).Select(v => JsonRead.Str(v?["name"])).ToHashSet(StringComparer.Ordinal);
        var stored = old["status"]?["storedVersions"] as JsonArray ?? [];
        for (var i = 0; i < stored.Count; i++)
        {
            var version = JsonRead.Str(stored[i]);
            if (!versions.Contains(version))
            {
                errors.Add(FieldErrors.Invalid($"status.storedVersions[{i}]", version,
                    $"missing from spec.versions; {version} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in {version} and removes {version} from status.storedVersions"));
            }
        }
    }

    private static void Immutable(JsonObject definition, JsonObject old, string specPath, string field, List<FieldError> errors)
    {
        JsonNode? Read(JsonObject o) => specPath.Split('.').Aggregate<string, JsonNode?>(o["spec"], (node, key) => node?[key]);
        var now = Read(definition);
        if (!JsonNode.DeepEquals(now, Read(old)))
        {
            errors.Add(FieldErrors.Invalid(field, now?.DeepClone(), "field is immutable"));
        }
    }
}
