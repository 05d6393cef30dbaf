using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>The kube-openapi error kinds that kube-apiserver turns into different field errors.</summary>
internal enum OpenApiErrorCode
{
    /// <summary>Not an <c>errors.Validation</c> (junctor and range-check errors): reported at the root path.</summary>
    Plain,
    InvalidType,
    Required,
    TooLong,
    TooManyItems,
    TooManyProperties,
    Enum,

    /// <summary>Every other <c>errors.Validation</c>: reported as <c>Invalid value</c>.</summary>
    Other,
}

/// <summary>
/// One kube-openapi validation error (after kube-openapi's pkg/validation/errors/schema.go): its code, the dotted path
/// it names (<c>Name</c>), its message, and what kube-apiserver's conversion to a field error needs.
/// </summary>
/// <param name="Code">The kind.</param>
/// <param name="Name">The value's path as kube-openapi builds it (<c>spec.items[0]</c>; <c>.spec</c> at the root).</param>
/// <param name="Message">The message (<c>Error()</c>), which also de-duplicates errors.</param>
/// <param name="Value">The offending value already printed as a field error prints it, or null for Go's nil.</param>
/// <param name="Limit">The limit of TooLong, TooManyItems and TooManyProperties.</param>
/// <param name="Actual">The count of TooManyItems and TooManyProperties.</param>
/// <param name="EnumValues">The allowed values of Enum.</param>
internal sealed record OpenApiError(
    OpenApiErrorCode Code, string Name, string Message, string? Value, long Limit = -1, long Actual = -1,
    IReadOnlyList<JsonNode?>? EnumValues = null)
{
    private const string In = "body";

    /// <summary>kube-apiserver's conversion (pkg/apiserver/validation/validation.go <c>kubeOpenAPIResultToFieldErrors</c>).</summary>
    /// <param name="fieldPath">The path the validated value sits at, or null for none (printed <c>&lt;nil&gt;</c>).</param>
    public FieldError ToFieldError(string? fieldPath)
    {
        var path = fieldPath ?? "<nil>";
        if (Code != OpenApiErrorCode.Plain && Name.Length > 0 && Name != ".")
        {
            var child = Name.StartsWith('.') ? Name[1..] : Name;
            path = fieldPath is null ? child : fieldPath + "." + child;
        }

        return Code switch
        {
            OpenApiErrorCode.Plain => new FieldError(FieldErrorType.Invalid, path, "\"\"", Message),
            OpenApiErrorCode.Required => FieldErrors.Required(path),
            OpenApiErrorCode.Enum => new FieldError(FieldErrorType.NotSupported, path, Value ?? "null",
                "supported values: " + string.Join(", ", EnumValues!.Select(v => FieldErrors.Quote(
                    GoJsonValues.KindOf(v) == GoKind.String ? v!.GetValue<string>() : GoJsonValues.Marshal(v))))),
            OpenApiErrorCode.TooLong => FieldErrors.TooLong(path, Limit),
            OpenApiErrorCode.TooManyItems or OpenApiErrorCode.TooManyProperties => FieldErrors.TooMany(path, Actual, Limit),
            OpenApiErrorCode.InvalidType => new FieldError(FieldErrorType.TypeInvalid, path, Value ?? "\"\"", Message),
            _ => new FieldError(FieldErrorType.Invalid, path, Value ?? "\"\"", Message),
        };
    }

    public static OpenApiError InvalidType(string path, string typeName, string actual) =>
        new(OpenApiErrorCode.InvalidType, path, $"{path} in {In} must be of type {typeName}: {FieldErrors.Quote(actual)}", FieldErrors.Quote(actual));

    public static OpenApiError Required(string path) => new(OpenApiErrorCode.Required, path, $"{path} in {In} is required", null);

    public static OpenApiError TooLong(string path, long max, string value) =>
        new(OpenApiErrorCode.TooLong, path, $"{path} in {In} should be at most {Number(max)} chars long", FieldErrors.Quote(value), Limit: max);

    public static OpenApiError TooShort(string path, long min, string value) =>
        new(OpenApiErrorCode.Other, path, $"{path} in {In} should be at least {Number(min)} chars long", FieldErrors.Quote(value));

    public static OpenApiError FailedPattern(string path, string pattern, string value) =>
        new(OpenApiErrorCode.Other, path, $"{path} in {In} should match '{pattern}'", FieldErrors.Quote(value));

    public static OpenApiError Enum(string path, JsonNode? value, IReadOnlyList<JsonNode?> values) =>
        new(OpenApiErrorCode.Enum, path, $"{path} in {In} should be one of [{string.Join(" ", values.Select(PrintV))}]",
            GoJsonValues.FormatBadValue(value), EnumValues: values);

    /// <summary><c>ExceedsMaximum</c>/<c>ExceedsMinimum</c>; <paramref name="bound"/> is already printed (<c>%v</c>).</summary>
    public static OpenApiError OutOfRange(string path, bool maximum, string bound, bool exclusive, string value)
    {
        var relation = (maximum, exclusive) switch
        {
            (true, false) => "less than or equal to",
            (true, true) => "less than",
            (false, false) => "greater than or equal to",
            (false, true) => "greater than",
        };
        return new(OpenApiErrorCode.Other, path, $"{path} in {In} should be {relation} {bound}", value);
    }

    public static OpenApiError NotMultipleOf(string path, string factor, string value) =>
        new(OpenApiErrorCode.Other, path, $"{path} in {In} should be a multiple of {factor}", value);

    public static OpenApiError MultipleOfMustBePositive(string path, string factor) =>
        new(OpenApiErrorCode.Other, path, $"factor MultipleOf declared for {path} must be positive: {factor}", factor);

    public static OpenApiError TooFewItems(string path, long min, long size) =>
        new(OpenApiErrorCode.Other, path, $"{path} in {In} should have at least {Number(min)} items", Number(size));

    public static OpenApiError TooManyItems(string path, long max, long size) =>
        new(OpenApiErrorCode.TooManyItems, path, $"{path} in {In} should have at most {Number(max)} items", Number(size), max, size);

    public static OpenApiError DuplicateItems(string path) => new(OpenApiErrorCode.Other, path, $"{path} in {In} shouldn't contain duplicates", null);

    public static OpenApiError TooFewProperties(string path, long min, long size) =>
        new(OpenApiErrorCode.Other, path, $"{path} in {In} should have at least {Number(min)} properties", Number(size));

    public static OpenApiError TooManyProperties(string path, long max, long size) =>
        new(OpenApiErrorCode.TooManyProperties, path, $"{path} in {In} should have at most {Number(max)} properties", Number(size), max, size);

    public static OpenApiError PropertyNotAllowed(string path, string key) =>
        new(OpenApiErrorCode.Other, path, $"{path}.{key} in {In} is a forbidden property", FieldErrors.Quote(key));

    /// <summary>An error that is not an <c>errors.Validation</c> (a junctor failed, a number out of its format's range).</summary>
    public static OpenApiError Plain(string message) => new(OpenApiErrorCode.Plain, string.Empty, message, null);

    // Go's %v of a decoded value (only used in a message that is never shown, but that de-duplicates errors).
    private static string PrintV(JsonNode? value) => GoJsonValues.KindOf(value) switch
    {
        GoKind.Null => "<nil>",
        GoKind.String => value!.GetValue<string>(),
        GoKind.Bool or GoKind.Int64 or GoKind.Float64 => GoJsonValues.FormatBadValue(value),
        _ => GoJsonValues.Marshal(value),
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
