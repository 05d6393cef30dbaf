using System.Globalization;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.CustomResources.Schema;

// Scalar checks of SchemaValidation, after kube-openapi's pkg/validation/validate/validator.go (stringValidator,
// numberValidator, basicCommonValidator) and values.go.
internal static partial class SchemaValidation
{
    // Only the first failing check is reported: maxLength, then minLength, then pattern.
    private static ValidationResult? ValidateString(string data, StructuralSchema schema, string path)
    {
        var length = data.EnumerateRunes().Count();
        if (schema.MaxLength is { } max && length > max)
        {
            return ValidationResult.Of(OpenApiError.TooLong(path, max, data));
        }

        if (schema.MinLength is { } min && length < min)
        {
            return ValidationResult.Of(OpenApiError.TooShort(path, min, data));
        }

        if (schema.Pattern.Length > 0)
        {
            if (schema.PatternRegex is null)
            {
                return ValidationResult.Of(OpenApiError.FailedPattern(path, $"{schema.Pattern}, but pattern is invalid: {schema.PatternError}", data));
            }

            if (!schema.PatternRegex.IsMatch(data))
            {
                return ValidationResult.Of(OpenApiError.FailedPattern(path, schema.Pattern, data));
            }
        }

        return null;
    }

    // An enum value matches after Go's type conversion to its type (GoJsonValues.EnumMatches); null never matches.
    private static ValidationResult? ValidateEnum(JsonNode? data, StructuralSchema schema, string path) =>
        schema.Enum.Count == 0 || schema.Enum.Any(value => GoJsonValues.EnumMatches(data, value))
            ? null
            : ValidationResult.Of(OpenApiError.Enum(path, data, schema.Enum));

    // numberValidator: the value and each bound must fit the declared integer/number format ("Checked value must be
    // of type integer (default format) in spec.x" otherwise); bounds apply natively (an integer value is compared with
    // the bound truncated to an integer) unless the bound itself does not fit.
    private static ValidationResult ValidateNumber(JsonValue data, StructuralSchema schema, string path)
    {
        var (typeName, format) = schema.ValidationTypes is [var only] && only is "integer" or "number"
            ? (only, schema.ValidationFormat)
            : (string.Empty, string.Empty);
        var value = Number.Of(data);
        var result = new ValidationResult();
        result.Add(CheckRange(value, typeName, format, "Checked", path));

        var multiple = new ValidationResult();
        var minimum = new ValidationResult();
        var maximum = new ValidationResult();
        if (schema.MultipleOf is { } factor)
        {
            var rangeError = CheckRange(Number.FromFloat(factor), typeName, format, "MultipleOf", path);
            multiple.Add(rangeError);
            multiple.Add(rangeError is null && value.IsInteger ? MultipleOfInteger(path, value.Integer, (long)factor) : MultipleOfFloat(path, value.Float, factor));
        }

        if (schema.Maximum is { } max)
        {
            var rangeError = CheckRange(Number.FromFloat(max), typeName, format, "Maximum boundary", path);
            maximum.Add(rangeError);
            maximum.Add(CompareBound(path, value, max, schema.ExclusiveMaximum, isMaximum: true, native: rangeError is null));
        }

        if (schema.Minimum is { } min)
        {
            var rangeError = CheckRange(Number.FromFloat(min), typeName, format, "Minimum boundary", path);
            minimum.Add(rangeError);
            minimum.Add(CompareBound(path, value, min, schema.ExclusiveMinimum, isMaximum: false, native: rangeError is null));
        }

        result.Merge(multiple).Merge(minimum).Merge(maximum);
        result.Inc();
        return result;
    }

    private static OpenApiError? CompareBound(string path, Number value, double bound, bool exclusive, bool isMaximum, bool native)
    {
        if (native && value.IsInteger)
        {
            var limit = (long)bound;
            var outside = isMaximum
                ? (exclusive ? value.Integer >= limit : value.Integer > limit)
                : (exclusive ? value.Integer <= limit : value.Integer < limit);
            return outside ? OpenApiError.OutOfRange(path, isMaximum, Print(limit), exclusive, Print(value.Integer)) : null;
        }

        var data = value.Float;
        var beyond = isMaximum ? (exclusive ? data >= bound : data > bound) : (exclusive ? data <= bound : data < bound);
        return beyond ? OpenApiError.OutOfRange(path, isMaximum, GoJsonValues.FormatFloatV(bound), exclusive, GoJsonValues.FormatFloatV(data)) : null;
    }

    private static OpenApiError? MultipleOfInteger(string path, long data, long factor)
    {
        if (factor <= 0)
        {
            return OpenApiError.MultipleOfMustBePositive(path, Print(factor));
        }

        return data / factor * factor != data ? OpenApiError.NotMultipleOf(path, Print(factor), Print(data)) : null;
    }

    private static OpenApiError? MultipleOfFloat(string path, double data, double factor)
    {
        if (factor <= 0)
        {
            return OpenApiError.MultipleOfMustBePositive(path, GoJsonValues.FormatFloatV(factor));
        }

        var multiple = factor < 1 ? 1 / factor * data : data / factor;
        return IsJsonInteger(multiple) ? null : OpenApiError.NotMultipleOf(path, GoJsonValues.FormatFloatV(factor), GoJsonValues.FormatFloatV(data));
    }

    // kube-openapi's IsValueValidAgainstRange: whether a value (or a bound) fits the declared type and format,
    // judged on its decimal text as Go's strconv parses it.
    private static OpenApiError? CheckRange(Number value, string typeName, string format, string prefix, string path)
    {
        var text = value.IsInteger ? Print(value.Integer) : GoJsonValues.FormatFloatFixed(value.Float);
        var fits = typeName switch
        {
            "integer" when format == "int32" => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "integer" => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            _ when format == "float" => !float.IsInfinity((float)value.Float),
            _ => true,
        };
        if (fits)
        {
            return null;
        }

        return OpenApiError.Plain(format.Length > 0
            ? $"{prefix} value must be of type {typeName} with format {format} in {path}"
            : $"{prefix} value must be of type {typeName} (default format) in {path}");
    }

    private static string Print(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A decoded JSON number: Go's <c>int64</c> when <see cref="IsInteger"/>, else its <c>float64</c>.</summary>
    private readonly record struct Number(bool IsInteger, long Integer, double Float)
    {
        public static Number Of(JsonValue value) => GoJsonValues.TryGetInt64(value, out var integer)
            ? new Number(true, integer, integer)
            : new Number(false, 0, GoJsonValues.GetFloat64(value));

        public static Number FromFloat(double value) => new(false, 0, value);
    }
}
