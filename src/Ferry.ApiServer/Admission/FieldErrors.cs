using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>Factories for <see cref="FieldError"/> that format values the way kube-apiserver does. Pure and thread-safe.</summary>
public static class FieldErrors
{
    public static FieldError Required(string field, string message = "") => new(FieldErrorType.Required, field, null, message);

    public static FieldError Forbidden(string field, string message) => new(FieldErrorType.Forbidden, field, null, message);

    public static FieldError Invalid(string field, JsonNode? value, string message) =>
        new(FieldErrorType.Invalid, field, Format(value), message);

    public static FieldError Invalid(string field, string value, string message) =>
        new(FieldErrorType.Invalid, field, Quote(value), message);

    public static FieldError Invalid(string field, long value, string message) =>
        new(FieldErrorType.Invalid, field, value.ToString(CultureInfo.InvariantCulture), message);

    public static FieldError NotSupported(string field, JsonNode? value, params string[] supported) =>
        new(FieldErrorType.NotSupported, field, Format(value),
            supported.Length == 0 ? string.Empty : "supported values: " + string.Join(", ", supported.Select(Quote)));

    public static FieldError Duplicate(string field, JsonNode? value) => new(FieldErrorType.Duplicate, field, Format(value), string.Empty);

    /// <summary>apimachinery's <c>field.TooLong</c>: the value is omitted, the limit is in bytes.</summary>
    public static FieldError TooLong(string field, long maxLength) =>
        new(FieldErrorType.TooLong, field, null, maxLength >= 0
            ? $"may not be more than {maxLength.ToString(CultureInfo.InvariantCulture)} {(maxLength == 1 ? "byte" : "bytes")}"
            : "value is too long");

    /// <summary>apimachinery's <c>field.TooMany</c>: <c>Too many: 3: must have at most 2 items</c>.</summary>
    public static FieldError TooMany(string field, long actual, long max) =>
        new(FieldErrorType.TooMany, field, actual >= 0 ? actual.ToString(CultureInfo.InvariantCulture) : null, max >= 0
            ? $"must have at most {max.ToString(CultureInfo.InvariantCulture)} {(max == 1 ? "item" : "items")}"
            : "has too many items");

    public static FieldError Internal(string message) => new(FieldErrorType.InternalError, string.Empty, null, message);

    /// <summary>Go's <c>%q</c> for a string (quotes, backslashes and control characters escaped).</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new System.Text.StringBuilder("\"");
        foreach (var ch in value)
        {
            switch (ch)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                default:
                    if (ch < 0x20)
                    {
                        builder.Append("\\x").Append(((int)ch).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(ch);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Formats a JSON value as upstream prints a bad value: strings quoted, numbers and bools bare, others as JSON.</summary>
    public static string Format(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
        _ => value.ToJsonString(),
    };
}
