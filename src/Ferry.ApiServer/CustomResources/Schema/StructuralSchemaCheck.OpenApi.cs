using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using static Ferry.ApiServer.CustomResources.Schema.SchemaJson;

namespace Ferry.ApiServer.CustomResources.Schema;

// The OpenAPI rules every schema node must follow, after apiextensions-apiserver's
// pkg/apis/apiextensions/validation/validation.go ValidateCustomResourceDefinitionOpenAPISchema, specStandardValidatorV3
// and validateMapListKeysMapSet, with the options of a newly created v1 CRD.
internal static partial class StructuralSchemaCheck
{
    private static readonly string[] _openApiTypes = ["array", "boolean", "integer", "number", "object", "string"];
    private static readonly string[] _validationReasons = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"];

    private static void ValidateOpenApiSchema(JsonObject schema, string path, OpenApiContext context, bool isRoot, List<FieldError> errors)
    {
        ValidateStandard(schema, path, context, errors);
        var type = GetString(schema, "type");
        if (GetBool(schema, "uniqueItems"))
        {
            errors.Add(FieldErrors.Forbidden(Child(path, "uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
        }

        var properties = GetSchemas(schema, "properties").ToList();
        var additional = schema["additionalProperties"];
        if (additional is JsonObject || IsBool(additional))
        {
            // properties are for structs, additionalProperties for maps (additionalProperties: true is tolerated).
            if (properties.Count > 0 && !GetBool(schema, "additionalProperties"))
            {
                errors.Add(FieldErrors.Forbidden(Child(path, "additionalProperties"), "additionalProperties and properties are mutual exclusive"));
            }

            if (additional is JsonObject additionalSchema)
            {
                var inner = context.InsideResourceMeta ? context.ForbidDefaults("inside additionalProperties applying to object metadata") : context;
                ValidateOpenApiSchema(additionalSchema, Child(path, "additionalProperties"), inner, false, errors);
            }
        }

        foreach (var (name, property) in properties)
        {
            var inner = context;
            if ((isRoot || GetBool(schema, "x-kubernetes-embedded-resource")) && _metaFields.Contains(name))
            {
                inner = inner with { InsideResourceMeta = true };
                inner = isRoot ? inner.ForbidDefaults("in top-level " + name) : inner;
            }

            ValidateOpenApiSchema(property, Key(path, "properties", name), inner, false, errors);
        }

        if (schema["not"] is JsonObject not)
        {
            ValidateOpenApiSchema(not, Child(path, "not"), context, false, errors);
        }

        foreach (var junctor in new[] { "allOf", "oneOf", "anyOf" })
        {
            var branches = GetSchemaList(schema, junctor);
            for (var i = 0; i < branches.Length; i++)
            {
                ValidateOpenApiSchema(branches[i], Index(path, junctor, i), context, false, errors);
            }
        }

        switch (schema["items"])
        {
            case JsonObject items:
                ValidateOpenApiSchema(items, Child(path, "items"), context, false, errors);
                break;
            case JsonArray itemList:
                var itemSchemas = itemList.OfType<JsonObject>().ToArray();
                for (var i = 0; i < itemSchemas.Length; i++)
                {
                    ValidateOpenApiSchema(itemSchemas[i], Index(path, "items", i), context, false, errors);
                }

                break;
        }

        if (IsBool(schema["x-kubernetes-preserve-unknown-fields"]) && !GetBool(schema, "x-kubernetes-preserve-unknown-fields"))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, Child(path, "x-kubernetes-preserve-unknown-fields"), "false", "must be true or undefined"));
        }

        ValidateMapAndListTypes(schema, type, path, errors);
        ValidateListMapKeysAndSetItems(schema, path, errors);
        ValidateRuleTexts(schema, path, errors);
    }

    // specStandardValidatorV3.validate: what a CRD schema may not use at all.
    private static void ValidateStandard(JsonObject schema, string path, OpenApiContext context, List<FieldError> errors)
    {
        var type = GetString(schema, "type");
        if (type.Length > 0 && !_openApiTypes.Contains(type))
        {
            errors.Add(FieldErrors.NotSupported(Child(path, "type"), JsonValue.Create(type), _openApiTypes));
        }

        if (Has(schema, "default") && !context.AllowDefaults)
        {
            var reason = context.DisallowDefaultsReason.Length > 0 ? " " + context.DisallowDefaultsReason : string.Empty;
            errors.Add(FieldErrors.Forbidden(Child(path, "default"), "must not be set" + reason));
        }

        void Forbid(bool present, string field, string message)
        {
            if (present)
            {
                errors.Add(FieldErrors.Forbidden(Child(path, field), message));
            }
        }

        Forbid(GetString(schema, "id").Length > 0, "id", "id is not supported");
        Forbid(Has(schema, "additionalItems"), "additionalItems", "additionalItems is not supported");
        Forbid(schema["patternProperties"] is JsonObject { Count: > 0 }, "patternProperties", "patternProperties is not supported");
        Forbid(schema["definitions"] is JsonObject { Count: > 0 }, "definitions", "definitions is not supported");
        Forbid(Has(schema, "dependencies"), "dependencies", "dependencies is not supported");
        Forbid(Has(schema, "$ref"), "$ref", "$ref is not supported");
        Forbid(type == "null", "type", "type cannot be set to null, use nullable as an alternative");
        Forbid(schema["items"] is JsonArray { Count: > 0 }, "items", "items must be a schema object and not an array");
        Forbid(context.InsideResourceMeta && GetBool(schema, "x-kubernetes-embedded-resource"), "x-kubernetes-embedded-resource", "must not be used inside of resource meta");
    }

    private static void ValidateMapAndListTypes(JsonObject schema, string type, string path, List<FieldError> errors)
    {
        var mapType = GetOptionalString(schema, "x-kubernetes-map-type");
        if (mapType is not null && type != "object")
        {
            const string Message = "must be object if x-kubernetes-map-type is specified";
            errors.Add(type.Length == 0 ? FieldErrors.Required(Child(path, "type"), Message) : Invalid(Child(path, "type"), type, Message));
        }

        if (mapType is not null and not ("atomic" or "granular"))
        {
            errors.Add(FieldErrors.NotSupported(Child(path, "x-kubernetes-map-type"), JsonValue.Create(mapType), "atomic", "granular"));
        }

        var listType = GetOptionalString(schema, "x-kubernetes-list-type");
        if (listType is not null && type != "array")
        {
            const string Message = "must be array if x-kubernetes-list-type is specified";
            errors.Add(type.Length == 0 ? FieldErrors.Required(Child(path, "type"), Message) : Invalid(Child(path, "type"), type, Message));
        }
        else if (listType == "set" && schema["items"] is JsonObject items)
        {
            // Set elements must be atomic. (Upstream prints the item's list type in both errors.)
            const string Message = "must be atomic as item of a list with x-kubernetes-list-type=set";
            var itemListType = GetOptionalString(items, "x-kubernetes-list-type");
            var printed = itemListType is null ? "null" : FieldErrors.Quote(itemListType);
            var itemType = GetString(items, "type");
            if (itemType == "array" && itemListType is not null and not "atomic")
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, Child(Child(path, "items"), "x-kubernetes-list-type"), printed, Message));
            }
            else if (itemType == "object" && GetOptionalString(items, "x-kubernetes-map-type") != "atomic")
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, Child(Child(path, "items"), "x-kubernetes-map-type"), printed, Message));
            }
        }

        if (listType is not null and not ("atomic" or "set" or "map"))
        {
            errors.Add(FieldErrors.NotSupported(Child(path, "x-kubernetes-list-type"), JsonValue.Create(listType), "atomic", "set", "map"));
        }
    }

    private static void ValidateListMapKeysAndSetItems(JsonObject schema, string path, List<FieldError> errors)
    {
        var listType = GetOptionalString(schema, "x-kubernetes-list-type");
        var keys = GetStrings(schema, "x-kubernetes-list-map-keys");
        var keysText = GoJsonValues.Marshal(new JsonArray(keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()));
        var keysPath = Child(path, "x-kubernetes-list-map-keys");
        if (keys.Length > 0 && listType != "map")
        {
            const string Message = "must be map if x-kubernetes-list-map-keys is non-empty";
            errors.Add(listType is null ? FieldErrors.Required(Child(path, "x-kubernetes-list-type"), Message) : Invalid(Child(path, "x-kubernetes-list-type"), listType, Message));
        }

        var items = schema["items"] as JsonObject;
        if (listType == "map")
        {
            if (keys.Length == 0)
            {
                errors.Add(FieldErrors.Required(keysPath, "must not be empty if x-kubernetes-list-type is map"));
            }

            if (!Has(schema, "items"))
            {
                errors.Add(FieldErrors.Required(Child(path, "items"), "must have a schema if x-kubernetes-list-type is map"));
            }
            else if (items is null)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, Child(path, "items"), GoJsonValues.Marshal(schema["items"]), "must only have a single schema if x-kubernetes-list-type is map"));
            }
            else if (GetString(items, "type") != "object")
            {
                errors.Add(Invalid(Child(Child(path, "items"), "type"), GetString(items, "type"), "must be object if parent array's x-kubernetes-list-type is map"));
            }
            else
            {
                var itemProperties = GetSchemas(items, "properties").ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    if (!itemProperties.TryGetValue(key, out var keySchema))
                    {
                        errors.Add(new FieldError(FieldErrorType.Invalid, keysPath, keysText, "entries must all be names of item properties"));
                    }
                    else if (GetString(keySchema, "type") is "array" or "object")
                    {
                        // Upstream prints the item's type ("object"), not the key's.
                        errors.Add(Invalid(Child(Key(Child(path, "items"), "properties", key), "type"), "object", "must be a scalar type if parent array's x-kubernetes-list-type is map"));
                    }

                    if (!seen.Add(key))
                    {
                        errors.Add(new FieldError(FieldErrorType.Invalid, keysPath, keysText, "must not contain duplicate entries"));
                    }
                }
            }
        }

        // validateMapListKeysMapSet: set and map items are not nullable; map keys are required or defaulted.
        if (items is null || listType is not ("set" or "map"))
        {
            return;
        }

        if (GetBool(items, "nullable"))
        {
            errors.Add(FieldErrors.Forbidden(Child(Child(path, "items"), "nullable"), "cannot be nullable when x-kubernetes-list-type is " + listType));
        }

        var required = GetStrings(items, "required").ToHashSet(StringComparer.Ordinal);
        var properties = GetSchemas(items, "properties").ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal);
        foreach (var key in listType == "map" ? keys : [])
        {
            if (!properties.TryGetValue(key, out var keySchema))
            {
                continue;
            }

            var keyPath = Key(Child(path, "items"), "properties", key);
            if (!required.Contains(key) && !Has(keySchema, "default"))
            {
                errors.Add(FieldErrors.Required(Child(keyPath, "default"), "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
            }

            if (GetBool(keySchema, "nullable"))
            {
                errors.Add(FieldErrors.Forbidden(Child(keyPath, "nullable"), "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
            }
        }
    }

    // The text checks of x-kubernetes-validations rules (their CEL is not compiled).
    private static void ValidateRuleTexts(JsonObject schema, string path, List<FieldError> errors)
    {
        var rules = schema["x-kubernetes-validations"] is JsonArray array ? array.OfType<JsonObject>().ToArray() : [];
        for (var i = 0; i < rules.Length; i++)
        {
            var rulePath = Index(path, "x-kubernetes-validations", i);
            var rule = GetString(rules[i], "rule").Trim();
            var message = GetString(rules[i], "message");
            var trimmedMessage = message.Trim();
            if (rule.Length == 0)
            {
                errors.Add(FieldErrors.Required(Child(rulePath, "rule"), "rule is not specified"));
            }
            else if (message.Length > 0 && trimmedMessage.Length == 0)
            {
                errors.Add(Invalid(Child(rulePath, "message"), message, "must be non-empty if specified"));
            }
            else if (trimmedMessage.Contains('\n', StringComparison.Ordinal))
            {
                errors.Add(Invalid(Child(rulePath, "message"), message, "must not contain line breaks"));
            }
            else if (rule.Contains('\n', StringComparison.Ordinal) && trimmedMessage.Length == 0)
            {
                errors.Add(FieldErrors.Required(Child(rulePath, "message"), "message must be specified if rule contains line breaks"));
            }

            var messageExpression = GetString(rules[i], "messageExpression");
            if (messageExpression.Length > 0 && messageExpression.Trim().Length == 0)
            {
                errors.Add(FieldErrors.Required(Child(rulePath, "messageExpression"), "messageExpression must be non-empty if specified"));
            }

            if (GetOptionalString(rules[i], "reason") is { } reason && !_validationReasons.Contains(reason))
            {
                errors.Add(FieldErrors.NotSupported(Child(rulePath, "reason"), JsonValue.Create(reason), _validationReasons));
            }

            var fieldPath = GetString(rules[i], "fieldPath");
            if (fieldPath.Length > 0 && fieldPath.Trim().Length == 0)
            {
                errors.Add(Invalid(Child(rulePath, "fieldPath"), fieldPath, "must be non-empty if specified"));
            }

            if (fieldPath.Contains('\n', StringComparison.Ordinal))
            {
                errors.Add(Invalid(Child(rulePath, "fieldPath"), fieldPath, "must not contain line breaks"));
            }
        }
    }

    /// <summary>What the walk below a node allows (upstream's specStandardValidatorV3 state).</summary>
    private sealed record OpenApiContext(bool AllowDefaults, string DisallowDefaultsReason, bool InsideResourceMeta)
    {
        public static readonly OpenApiContext Root = new(true, string.Empty, false);

        public OpenApiContext ForbidDefaults(string reason) => this with { AllowDefaults = false, DisallowDefaultsReason = reason };
    }
}
