using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.ApiServer.Admission;
using static Ferry.ApiServer.CustomResources.Schema.SchemaJson;

namespace Ferry.ApiServer.CustomResources.Schema;

// The structural-schema rules, after apiextensions-apiserver's pkg/apiserver/schema/validation.go
// (validateStructuralInvariants, validateNestedValueValidation) and complete.go, on the schema's JSON.
internal static partial class StructuralSchemaCheck
{
    private enum Level
    {
        Root,
        Item,
        Field,
    }

    private static List<FieldError> ValidateStructural(JsonObject root, string path)
    {
        var errors = new List<FieldError>();
        ValidateInvariants(root, Level.Root, path, errors);
        ValidateCompleteness(root, root, path, path, errors);

        // Upstream sorts by the full text, as its map walks are random.
        errors.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        return errors;
    }

    private static void ValidateInvariants(JsonObject schema, Level level, string path, List<FieldError> errors)
    {
        var type = GetString(schema, "type");
        var items = schema["items"] as JsonObject;
        if (type == "array" && items is null)
        {
            errors.Add(FieldErrors.Required(Child(path, "items"), "must be specified"));
        }

        if (items is not null)
        {
            ValidateInvariants(items, Level.Item, Child(path, "items"), errors);
        }

        foreach (var (name, property) in GetSchemas(schema, "properties"))
        {
            ValidateInvariants(property, Level.Field, Key(path, "properties", name), errors);
        }

        var additional = schema["additionalProperties"];
        var hasAdditional = additional is JsonObject || IsBool(additional);
        if (hasAdditional && level == Level.Root)
        {
            errors.Add(FieldErrors.Forbidden(Child(path, "additionalProperties"), "must not be used at the root"));
        }

        if (additional is JsonObject additionalSchema)
        {
            ValidateInvariants(additionalSchema, Level.Field, Child(path, "additionalProperties"), errors);
        }

        var intOrString = GetBool(schema, "x-kubernetes-int-or-string");
        var preserve = GetBool(schema, "x-kubernetes-preserve-unknown-fields");
        var embedded = GetBool(schema, "x-kubernetes-embedded-resource");
        if (intOrString && preserve)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, Child(path, "x-kubernetes-preserve-unknown-fields"), "true", "must be false if x-kubernetes-int-or-string is true"));
        }

        if (intOrString && embedded)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, Child(path, "x-kubernetes-embedded-resource"), "true", "must be false if x-kubernetes-int-or-string is true"));
        }

        var allOf = GetSchemaList(schema, "allOf");
        ValidateValueValidation(schema, IsIntOrStringAnyOf(schema), allOf.Length > 0 && IsIntOrStringAnyOf(allOf[0]), path, errors);

        const string EmbeddedMustBeObject = "must be object if x-kubernetes-embedded-resource is true";
        if (embedded && type != "object")
        {
            errors.Add(type.Length == 0 ? FieldErrors.Required(Child(path, "type"), EmbeddedMustBeObject) : Invalid(Child(path, "type"), type, EmbeddedMustBeObject));
        }
        else if (type.Length == 0 && !intOrString && !preserve)
        {
            errors.Add(FieldErrors.Required(Child(path, "type"), level switch
            {
                Level.Root => "must not be empty at the root",
                Level.Item => "must not be empty for specified array items",
                _ => "must not be empty for specified object fields",
            }));
        }

        if (embedded && hasAdditional)
        {
            errors.Add(FieldErrors.Forbidden(Child(path, "additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"));
        }

        if (level == Level.Root && type.Length > 0 && type != "object")
        {
            errors.Add(Invalid(Child(path, "type"), type, "must be object at the root"));
        }

        var properties = GetSchemas(schema, "properties").ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal);
        var checkMetadata = level == Level.Root || embedded;
        foreach (var name in new[] { "kind", "apiVersion" })
        {
            if (checkMetadata && properties.TryGetValue(name, out var property) && GetString(property, "type") != "string")
            {
                errors.Add(Invalid(Child(Key(path, "properties", name), "type"), GetString(property, "type"), "must be string"));
            }
        }

        if (properties.TryGetValue("metadata", out var metadata))
        {
            ValidateMetadataInvariants(metadata, checkMetadata, level, Key(path, "properties", "metadata"), errors);
        }

        if (embedded && !preserve && properties.Count == 0)
        {
            errors.Add(FieldErrors.Required(Child(path, "properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
        }
    }

    // At the root, metadata may only be an object restricting name and generateName.
    private static void ValidateMetadataInvariants(JsonObject metadata, bool checkMetadata, Level level, string path, List<FieldError> errors)
    {
        var type = GetString(metadata, "type");
        if (checkMetadata && type != "object")
        {
            errors.Add(Invalid(Child(path, "type"), type, "must be object"));
        }

        if (level != Level.Root)
        {
            return;
        }

        var names = GetSchemas(metadata, "properties").Select(p => p.Name).ToList();
        var onlyNames = names.Count == 0 || (names.All(n => n is "name" or "generateName") && names.Count <= 2);
        var other = metadata.Any(pair => pair.Key is not ("type" or "default" or "properties") && !IsZero(pair.Key, pair.Value));
        if (!onlyNames || other)
        {
            errors.Add(FieldErrors.Forbidden(path, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
        }
    }

    // Whether a schema field holds its Go zero value once converted (false, "", no enum or junctor entries).
    private static bool IsZero(string key, JsonNode? value) => value switch
    {
        null => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0 && key is not ("x-kubernetes-list-type" or "x-kubernetes-map-type"),
        JsonArray { Count: 0 } => key is "enum" or "allOf" or "anyOf" or "oneOf",
        _ => false,
    };

    // anyOf: [{type: integer}, {type: string}], the shape x-kubernetes-int-or-string may use.
    private static bool IsIntOrStringAnyOf(JsonObject schema)
    {
        var anyOf = GetSchemaList(schema, "anyOf");
        return anyOf.Length == 2 && IsOnlyType(anyOf[0], "integer") && IsOnlyType(anyOf[1], "string");

        static bool IsOnlyType(JsonObject branch, string type) =>
            GetString(branch, "type") == type && branch.All(pair => pair.Key == "type" || IsZero(pair.Key, pair.Value));
    }

    private static void ValidateValueValidation(JsonObject schema, bool skipAnyOf, bool skipFirstAllOfAnyOf, string path, List<FieldError> errors)
    {
        var anyOf = GetSchemaList(schema, "anyOf");
        for (var i = 0; i < anyOf.Length && !skipAnyOf; i++)
        {
            ValidateNested(anyOf[i], false, Index(path, "anyOf", i), errors);
        }

        var allOf = GetSchemaList(schema, "allOf");
        for (var i = 0; i < allOf.Length; i++)
        {
            ValidateNested(allOf[i], skipFirstAllOfAnyOf && i == 0, Index(path, "allOf", i), errors);
        }

        var oneOf = GetSchemaList(schema, "oneOf");
        for (var i = 0; i < oneOf.Length; i++)
        {
            ValidateNested(oneOf[i], false, Index(path, "oneOf", i), errors);
        }

        if (schema["not"] is JsonObject not)
        {
            ValidateNested(not, false, Child(path, "not"), errors);
        }

        var pattern = GetString(schema, "pattern");
        if (pattern.Length > 0)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                // The reason is .NET's wording, not Go's regexp error.
                errors.Add(Invalid(Child(path, "pattern"), pattern, "must be a valid regular expression, but isn't: " + e.Message));
            }
        }
    }

    // Under allOf/anyOf/oneOf/not only value validations may appear.
    private static void ValidateNested(JsonObject schema, bool skipAnyOf, string path, List<FieldError> errors)
    {
        ValidateValueValidation(schema, skipAnyOf, false, path, errors);
        if (schema["items"] is JsonObject items)
        {
            ValidateNested(items, false, Child(path, "items"), errors);
        }

        foreach (var (name, property) in GetSchemas(schema, "properties"))
        {
            ValidateNested(property, false, Key(path, "properties", name), errors);
        }

        void Forbid(bool present, string field, string message)
        {
            if (present)
            {
                errors.Add(FieldErrors.Forbidden(Child(path, field), message));
            }
        }

        var additional = schema["additionalProperties"];
        Forbid(GetString(schema, "type").Length > 0, "type", "must be empty to be structural");
        Forbid(additional is JsonObject || GetBool(schema, "additionalProperties"), "additionalProperties", "must be undefined to be structural");
        Forbid(Has(schema, "default"), "default", "must be undefined to be structural");
        Forbid(GetString(schema, "title").Length > 0, "title", "must be empty to be structural");
        Forbid(GetString(schema, "description").Length > 0, "description", "must be empty to be structural");
        Forbid(GetBool(schema, "nullable"), "nullable", "must be false to be structural");
        Forbid(GetBool(schema, "x-kubernetes-preserve-unknown-fields"), "x-kubernetes-preserve-unknown-fields", "must be false to be structural");
        Forbid(GetBool(schema, "x-kubernetes-embedded-resource"), "x-kubernetes-embedded-resource", "must be false to be structural");
        Forbid(GetBool(schema, "x-kubernetes-int-or-string"), "x-kubernetes-int-or-string", "must be false to be structural");
        Forbid(GetStrings(schema, "x-kubernetes-list-map-keys").Length > 0, "x-kubernetes-list-map-keys", "must be empty to be structural");
        Forbid(GetOptionalString(schema, "x-kubernetes-list-type") is not null, "x-kubernetes-list-type", "must be undefined to be structural");
        Forbid(GetOptionalString(schema, "x-kubernetes-map-type") is not null, "x-kubernetes-map-type", "must be undefined to be structural");
        Forbid(schema["x-kubernetes-validations"] is JsonArray { Count: > 0 }, "x-kubernetes-validations", "must be empty to be structural");
        if (schema["properties"] is JsonObject properties && properties["metadata"] is JsonObject)
        {
            errors.Add(FieldErrors.Forbidden(Key(path, "properties", "metadata"), "must not be specified in a nested context"));
        }
    }

    // complete.go: what a junctor constrains must also be specified outside the junctors (checked for the root's).
    private static void ValidateCompleteness(JsonObject value, JsonObject? schema, string schemaPath, string valuePath, List<FieldError> errors)
    {
        var branches = new List<(JsonObject Branch, string Path)>();
        if (value["not"] is JsonObject not)
        {
            branches.Add((not, Child(valuePath, "not")));
        }

        foreach (var junctor in new[] { "allOf", "anyOf", "oneOf" })
        {
            branches.AddRange(GetSchemaList(value, junctor).Select((branch, i) => (branch, Index(valuePath, junctor, i))));
        }

        foreach (var (branch, branchPath) in branches)
        {
            ValidateNestedCompleteness(branch, schema, schemaPath, branchPath, errors);
        }
    }

    private static void ValidateNestedCompleteness(JsonObject value, JsonObject? schema, string schemaPath, string valuePath, List<FieldError> errors)
    {
        if (schema is null)
        {
            errors.Add(FieldErrors.Required(schemaPath, "because it is defined in " + valuePath));
            return;
        }

        ValidateCompleteness(value, schema, schemaPath, valuePath, errors);
        if (value["items"] is JsonObject items)
        {
            ValidateNestedCompleteness(items, schema["items"] as JsonObject, Child(schemaPath, "items"), Child(valuePath, "items"), errors);
        }

        var specified = GetSchemas(schema, "properties").ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal);
        foreach (var (name, property) in GetSchemas(value, "properties"))
        {
            if (specified.TryGetValue(name, out var counterpart))
            {
                ValidateNestedCompleteness(property, counterpart, Key(schemaPath, "properties", name), Key(valuePath, "properties", name), errors);
            }
            else
            {
                errors.Add(FieldErrors.Required(Key(schemaPath, "properties", name), "because it is defined in " + Key(valuePath, "properties", name)));
            }
        }
    }
}
