using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>
/// Validates a custom resource against its version's schema as kube-apiserver does: kube-openapi's
/// <c>SchemaValidator</c> (pkg/validation/validate/schema.go and its value validators), whose errors
/// apiextensions-apiserver's pkg/apiserver/validation/validation.go <c>ValidateCustomResource</c> turns into field
/// errors (<c>spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"</c>).
/// Upstream walks Go maps in random order; here an object's checks run in a fixed order: min/maxProperties,
/// additionalProperties values (document order), properties (schema order), then required (schema order).
/// String formats (<c>date-time</c>, <c>uuid</c>, …) are not checked. Pure and thread-safe.
/// </summary>
internal static partial class SchemaValidation
{
    /// <summary>
    /// Validates a whole custom resource. The root <c>metadata</c> is skipped (ObjectMeta is validated elsewhere);
    /// <c>apiVersion</c> and <c>kind</c> are checked like any property the schema declares.
    /// </summary>
    public static List<FieldError> Validate(JsonObject obj, StructuralSchema schema)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(schema);
        return ToFieldErrors(ValidateSchema(obj, schema, string.Empty, isResourceRoot: true), fieldPath: null);
    }

    /// <summary>
    /// Validates any value (e.g. a schema's <c>default</c>) against a schema node, as <c>ValidateCustomResource</c>
    /// with a field path: kube-openapi's paths start empty, so messages read <c> in body must be …</c>.
    /// </summary>
    /// <param name="fieldPath">Where the value sits (errors are reported below it), or null for none.</param>
    public static List<FieldError> ValidateValue(JsonNode? value, StructuralSchema schema, string? fieldPath)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return ToFieldErrors(ValidateSchema(value, schema, string.Empty, isResourceRoot: false), fieldPath);
    }

    private static List<FieldError> ToFieldErrors(ValidationResult result, string? fieldPath) =>
        result.Errors.Select(e => e.ToFieldError(fieldPath)).ToList();

    // kube-openapi's SchemaValidator.Validate: every applicable check runs (a type mismatch does not stop the others),
    // in this order, each adding one to the match count.
    private static ValidationResult ValidateSchema(JsonNode? data, StructuralSchema schema, string path, bool isResourceRoot = false)
    {
        var result = new ValidationResult();
        if (data is null)
        {
            result.Merge(ValidateType(null, schema, path));
            result.Merge(ValidateEnum(null, schema, path));
            return result;
        }

        var kind = GoJsonValues.KindOf(data);
        if (schema.ValidationTypes.Count > 0 || schema.ValidationFormat.Length > 0)
        {
            Run(result, ValidateType(data, schema, path));
        }

        Run(result, ValidateJunctors(data, schema, path));
        if (kind == GoKind.String)
        {
            Run(result, ValidateString(data.GetValue<string>(), schema, path));
            if (schema.ValidationFormat.Length > 0)
            {
                // The format validator applies here; formats themselves are not checked (see the class remarks).
                Run(result, null);
            }
        }

        if (kind is GoKind.Int64 or GoKind.Float64)
        {
            Run(result, ValidateNumber(data.AsValue(), schema, path));
        }

        if (kind == GoKind.Slice)
        {
            Run(result, ValidateSlice(data.AsArray(), schema, path));
        }

        Run(result, ValidateEnum(data, schema, path));
        if (kind == GoKind.Map)
        {
            Run(result, ValidateObject(data.AsObject(), schema, path, isResourceRoot));
        }

        result.Inc();
        return result;
    }

    private static void Run(ValidationResult result, ValidationResult? check)
    {
        result.Merge(check);
        result.Inc();
    }

    // kube-openapi's typeValidator (pkg/validation/validate/type.go), formats included.
    private static ValidationResult ValidateType(JsonNode? data, StructuralSchema schema, string path)
    {
        var types = schema.ValidationTypes;
        var format = schema.ValidationFormat;
        if (data is null)
        {
            return types.Count > 0 && !types.Contains("null") && !schema.Nullable
                ? ValidationResult.Of(OpenApiError.InvalidType(path, string.Join(",", types), "null"))
                : Passed();
        }

        var kind = GoJsonValues.KindOf(data);
        var (dataType, dataFormat) = kind switch
        {
            GoKind.Bool => ("boolean", string.Empty),
            GoKind.String => ("string", string.Empty),
            GoKind.Int64 => ("integer", "int64"),
            GoKind.Float64 => ("number", "float64"),
            GoKind.Slice => ("array", string.Empty),
            _ => ("object", string.Empty),
        };
        var isFloatInt = kind == GoKind.Float64 && IsJsonInteger(GoJsonValues.GetFloat64(data.AsValue())) && types.Contains("integer");
        var isIntFloat = kind == GoKind.Int64 && types.Contains("number");
        var scalar = kind is not (GoKind.String or GoKind.Slice);
        if (scalar && format.Length > 0 && !(types.Contains(dataType) || dataFormat == format || isFloatInt || isIntFloat))
        {
            return ValidationResult.Of(OpenApiError.InvalidType(path, format, dataFormat));
        }

        if (!(types.Contains("number") || types.Contains("integer")) && format.Length > 0 && !scalar)
        {
            return Passed();
        }

        return types.Contains(dataType) || isFloatInt || isIntFloat
            ? Passed()
            : ValidationResult.Of(OpenApiError.InvalidType(path, string.Join(",", types), dataType));
    }

    private static ValidationResult Passed()
    {
        var result = new ValidationResult();
        result.Inc();
        return result;
    }

    // go-openapi/swag IsFloat64AJSONInteger: integers within ±(2^53 - 1), with a relative tolerance of 1e-9.
    private static bool IsJsonInteger(double value)
    {
        const double MaxJsonFloat = 9007199254740991.0;
        if (!double.IsFinite(value) || value < -MaxJsonFloat || value > MaxJsonFloat)
        {
            return false;
        }

        var rounded = Math.Round(value, MidpointRounding.AwayFromZero);
        if (value == rounded)
        {
            return true;
        }

        return rounded != 0 && Math.Abs(value - rounded) < 1e-9 * Math.Abs(rounded);
    }
}
