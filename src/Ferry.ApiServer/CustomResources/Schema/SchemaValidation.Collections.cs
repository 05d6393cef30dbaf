using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.CustomResources.Schema;

// Arrays, objects and logical junctors of SchemaValidation, after kube-openapi's pkg/validation/validate/
// slice_validator.go, object_validator.go and schema_props.go.
internal static partial class SchemaValidation
{
    private static ValidationResult ValidateSlice(JsonArray data, StructuralSchema schema, string path)
    {
        var result = new ValidationResult();
        if (schema.Items is { } items)
        {
            for (var i = 0; i < data.Count; i++)
            {
                result.Merge(ValidateSchema(data[i], items, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]"));
            }
        }

        if (schema.MinItems is { } min && data.Count < min)
        {
            result.Add(OpenApiError.TooFewItems(path, min, data.Count));
        }

        if (schema.MaxItems is { } max && data.Count > max)
        {
            result.Add(OpenApiError.TooManyItems(path, max, data.Count));
        }

        if (schema.UniqueItems && HasDuplicates(data))
        {
            result.Add(OpenApiError.DuplicateItems(path));
        }

        result.Inc();
        return result;
    }

    private static bool HasDuplicates(JsonArray data)
    {
        for (var i = 1; i < data.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (GoJsonValues.DeepEqual(data[i], data[j]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static ValidationResult ValidateObject(JsonObject data, StructuralSchema schema, string path, bool isResourceRoot)
    {
        var result = new ValidationResult();
        if (schema.MinProperties is { } min && data.Count < min)
        {
            result.Add(OpenApiError.TooFewProperties(path, min, data.Count));
        }

        if (schema.MaxProperties is { } max && data.Count > max)
        {
            result.Add(OpenApiError.TooManyProperties(path, max, data.Count));
        }

        foreach (var (key, value) in data)
        {
            if (schema.Properties.ContainsKey(key))
            {
                continue;
            }

            if (!schema.AdditionalPropertiesAllowed)
            {
                result.Add(OpenApiError.PropertyNotAllowed(path, key));
            }
            else if (schema.AdditionalProperties is { } additional)
            {
                result.Merge(ValidateSchema(value, additional, path + "." + key));
            }
        }

        foreach (var (name, property) in schema.Properties)
        {
            // The root's ObjectMeta is validated elsewhere.
            if ((isResourceRoot && name == "metadata") || !data.TryGetPropertyValue(name, out var value))
            {
                continue;
            }

            result.Merge(ValidateSchema(value, property, path.Length == 0 ? name : path + "." + name));
        }

        foreach (var name in schema.Required)
        {
            if (!data.ContainsKey(name))
            {
                result.Add(OpenApiError.Required(path + "." + name));
            }
        }

        return result;
    }

    // schemaPropsValidator: a failing anyOf/oneOf reports its message and the errors of the failing branch that passed
    // the most checks (the first one on a tie).
    private static ValidationResult ValidateJunctors(JsonNode data, StructuralSchema schema, string path)
    {
        var main = new ValidationResult();
        var quotedPath = FieldErrors.Quote(path);
        if (schema.AnyOf.Count > 0)
        {
            ValidationResult? best = null;
            ValidationResult? firstSuccess = null;
            foreach (var branch in schema.AnyOf)
            {
                var result = ValidateSchema(data, branch, path);
                if (result.IsValid)
                {
                    best = null;
                    firstSuccess = result;
                    break;
                }

                if (best is null || result.MatchCount > best.MatchCount)
                {
                    best = result;
                }
            }

            if (firstSuccess is null)
            {
                main.Add(OpenApiError.Plain($"{quotedPath} must validate at least one schema (anyOf)"));
            }

            main.Merge(best ?? firstSuccess);
        }

        if (schema.OneOf.Count > 0)
        {
            ValidationResult? best = null;
            ValidationResult? firstSuccess = null;
            var validated = 0;
            foreach (var branch in schema.OneOf)
            {
                var result = ValidateSchema(data, branch, path);
                if (result.IsValid)
                {
                    validated++;
                    best = null;
                    firstSuccess ??= result;
                }
                else if (validated == 0 && (best is null || result.MatchCount > best.MatchCount))
                {
                    best = result;
                }
            }

            if (validated != 1)
            {
                var detail = validated == 0 ? "Found none valid" : $"Found {validated.ToString(CultureInfo.InvariantCulture)} valid alternatives";
                main.Add(OpenApiError.Plain($"{quotedPath} must validate one and only one schema (oneOf). {detail}"));
                main.Merge(best);
            }
            else
            {
                main.Merge(firstSuccess);
            }
        }

        if (schema.AllOf.Count > 0)
        {
            var validated = 0;
            foreach (var branch in schema.AllOf)
            {
                var result = ValidateSchema(data, branch, path);
                validated += result.IsValid ? 1 : 0;
                main.Merge(result);
            }

            if (validated != schema.AllOf.Count)
            {
                main.Add(OpenApiError.Plain($"{quotedPath} must validate all the schemas (allOf){(validated == 0 ? ". None validated" : string.Empty)}"));
            }
        }

        if (schema.Not is { } not && ValidateSchema(data, not, path).IsValid)
        {
            main.Add(OpenApiError.Plain($"{quotedPath} must not validate the schema (not)"));
        }

        main.Inc();
        return main;
    }
}
