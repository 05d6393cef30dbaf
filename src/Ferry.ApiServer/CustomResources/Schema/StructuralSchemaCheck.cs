using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using static Ferry.ApiServer.CustomResources.Schema.SchemaJson;

namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>
/// The admission checks of a CRD version's <c>schema.openAPIV3Schema</c>, after apiextensions-apiserver's
/// pkg/apis/apiextensions/validation/validation.go <c>validateCustomResourceDefinitionValidation</c> for a new v1 CRD:
/// the root's <c>nullable</c>; the structural-schema rules of pkg/apiserver/schema/validation.go and complete.go
/// (<c>ValidateStructural</c>, errors sorted); then, if those pass, the defaults (defaulting/validation.go
/// <c>ValidateDefaults</c>: pruned, and valid against their schema); then the OpenAPI rules of
/// <c>ValidateCustomResourceDefinitionOpenAPISchema</c> (schema order where upstream walks a map).
/// Not covered: CEL (<c>x-kubernetes-validations</c> get only their text checks), the root fields allowed with a status
/// subresource, ObjectMeta checks of defaults under <c>metadata</c>, and string formats. Pure and thread-safe.
/// </summary>
internal static partial class StructuralSchemaCheck
{
    private static readonly HashSet<string> _metaFields = new(StringComparer.Ordinal) { "apiVersion", "kind", "metadata" };

    /// <summary>Checks a version's schema; <paramref name="fieldPath"/> is the schema's own path, e.g.
    /// <c>spec.versions[0].schema.openAPIV3Schema</c>.</summary>
    public static List<FieldError> Validate(JsonObject openApiV3Schema, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        ArgumentNullException.ThrowIfNull(fieldPath);
        var errors = new List<FieldError>();
        if (GetBool(openApiV3Schema, "nullable"))
        {
            errors.Add(FieldErrors.Forbidden(Child(fieldPath, "nullable"), "nullable cannot be true at the root"));
        }

        var conversionError = FindUnconvertible(openApiV3Schema);
        if (conversionError is null)
        {
            var structural = ValidateStructural(openApiV3Schema, fieldPath);
            errors.AddRange(structural.Count > 0 ? structural : ValidateDefaults(StructuralSchema.Parse(openApiV3Schema), fieldPath));
        }

        ValidateOpenApiSchema(openApiV3Schema, fieldPath, OpenApiContext.Root, isRoot: true, errors);

        // Upstream shows why the schema cannot be converted only when nothing else was found.
        if (errors.Count == 0 && conversionError is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, fieldPath, "\"\"", conversionError));
        }

        return errors;
    }

    // Why NewStructural (pkg/apiserver/schema/convert.go) would refuse the schema, or null.
    private static string? FindUnconvertible(JsonObject schema)
    {
        foreach (var (key, name) in new[]
        {
            ("id", "id"), ("$schema", "schema"), ("$ref", "$ref"), ("patternProperties", "patternProperties"),
            ("dependencies", "dependencies"), ("additionalItems", "additionalItems"), ("definitions", "definitions"),
        })
        {
            var present = key == "additionalItems" ? Has(schema, key) : schema[key] switch
            {
                JsonObject map => map.Count > 0,
                JsonValue => GetString(schema, key).Length > 0,
                _ => false,
            };
            if (present)
            {
                return $"OpenAPIV3Schema '{name}' is not supported";
            }
        }

        var nested = new[] { schema["not"] as JsonObject }
            .Concat(GetSchemaList(schema, "allOf")).Concat(GetSchemaList(schema, "anyOf")).Concat(GetSchemaList(schema, "oneOf"));
        foreach (var branch in nested.OfType<JsonObject>())
        {
            if (FindUnconvertible(branch) is { } error)
            {
                return error;
            }
        }

        if (IsBool(schema["x-kubernetes-preserve-unknown-fields"]) && !GetBool(schema, "x-kubernetes-preserve-unknown-fields"))
        {
            return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
        }

        if (schema["items"] is JsonArray { Count: > 0 })
        {
            return "OpenAPIV3Schema 'items' must be a schema, but is an array";
        }

        var children = new[] { schema["items"] as JsonObject, schema["additionalProperties"] as JsonObject }
            .Concat(GetSchemas(schema, "properties").Select(p => p.Schema));
        return children.OfType<JsonObject>().Select(FindUnconvertible).FirstOrDefault(e => e is not null);
    }

    // defaulting/validation.go: each default must survive pruning unchanged and validate against its own schema node.
    // The resource root counts as an embedded resource; defaults under apiVersion/kind/metadata are only validated
    // against their schema (upstream also runs the ObjectMeta checks on them).
    private static List<FieldError> ValidateDefaults(StructuralSchema root, string fieldPath)
    {
        var errors = new List<FieldError>();
        ValidateDefaults(root, fieldPath, isResourceRoot: true, insideMeta: false, errors);
        return errors;
    }

    private static void ValidateDefaults(StructuralSchema schema, string path, bool isResourceRoot, bool insideMeta, List<FieldError> errors)
    {
        var embedded = isResourceRoot || schema.EmbeddedResource;
        insideMeta = insideMeta && !embedded;
        if (schema.Default is { } value)
        {
            var defaultPath = Child(path, "default");
            if (!insideMeta)
            {
                var pruned = value.DeepClone();
                SchemaPruning.Prune(pruned, schema, embedded);
                if (!GoJsonValues.DeepEqual(pruned, value))
                {
                    errors.Add(new FieldError(FieldErrorType.Invalid, defaultPath, GoJsonValues.FormatBadValue(value), "must not have unknown fields"));
                }
            }

            errors.AddRange(SchemaValidation.ValidateValue(value, schema, defaultPath));
        }

        if (schema.Items is { } items)
        {
            ValidateDefaults(items, Child(path, "items"), false, insideMeta, errors);
        }

        foreach (var (name, property) in schema.Properties)
        {
            ValidateDefaults(property, Key(path, "properties", name), false, insideMeta || (embedded && _metaFields.Contains(name)), errors);
        }
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Key(string path, string name, string key) => Child(path, name) + "[" + key + "]";

    private static string Index(string path, string name, int index) =>
        Child(path, name) + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    private static FieldError Invalid(string path, string value, string message) =>
        new(FieldErrorType.Invalid, path, FieldErrors.Quote(value), message);
}
