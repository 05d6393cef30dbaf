using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>The Go type a JSON value has after kube-apiserver decodes a custom resource.</summary>
internal enum GoKind
{
    Null,
    Bool,
    String,
    Int64,
    Float64,
    Slice,
    Map,
}

/// <summary>
/// JSON values seen as kube-apiserver sees them after decoding: a number is an <c>int64</c> when its text parses as one,
/// else a <c>float64</c>; and printed as Go prints them (<c>%v</c>, <c>strconv.FormatFloat</c>, <c>json.Marshal</c>).
/// Error texts built from values must match upstream's byte for byte, hence these printers. Pure and thread-safe.
/// </summary>
internal static class GoJsonValues
{
    public static GoKind KindOf(JsonNode? node) => node switch
    {
        null => GoKind.Null,
        JsonObject => GoKind.Map,
        JsonArray => GoKind.Slice,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => GoKind.String,
            JsonValueKind.True or JsonValueKind.False => GoKind.Bool,
            JsonValueKind.Number => TryGetInt64(value, out _) ? GoKind.Int64 : GoKind.Float64,
            _ => GoKind.Null,
        },
        _ => GoKind.Null,
    };

    public static bool TryGetInt64(JsonValue value, out long result) =>
        long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);

    /// <summary>The number as Go's <c>float64</c> (an <c>int64</c> converted).</summary>
    public static double GetFloat64(JsonValue value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Go's <c>%v</c> of a <c>float64</c> (<c>1e+06</c>, <c>1.5</c>, <c>100000</c>).</summary>
    public static string FormatFloatV(double value)
    {
        if (!Decompose(value, out var negative, out var digits, out var point))
        {
            return SpecialFloat(value);
        }

        var exponent = point - 1;
        return exponent < -4 || exponent >= 6
            ? FormatExponent(negative, digits, exponent, cleanNegativeExponent: false)
            : FormatFixed(negative, digits, point);
    }

    /// <summary>Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>: never an exponent.</summary>
    public static string FormatFloatFixed(double value) =>
        Decompose(value, out var negative, out var digits, out var point) ? FormatFixed(negative, digits, point) : SpecialFloat(value);

    /// <summary>Go's <c>%v</c> of a decoded JSON value inside an error message (numbers bare, strings unquoted).</summary>
    public static string FormatNumberV(JsonValue value) =>
        TryGetInt64(value, out var integer) ? integer.ToString(CultureInfo.InvariantCulture) : FormatFloatV(GetFloat64(value));

    /// <summary>How apimachinery's <c>field.Error</c> prints a bad value: strings quoted, scalars bare, others as JSON.</summary>
    public static string FormatBadValue(JsonNode? value) => KindOf(value) switch
    {
        GoKind.String => Admission.FieldErrors.Quote(value!.GetValue<string>()),
        GoKind.Bool => value!.GetValue<bool>() ? "true" : "false",
        GoKind.Int64 or GoKind.Float64 => FormatNumberV(value!.AsValue()),
        _ => Marshal(value),
    };

    /// <summary>Go's <c>json.Marshal</c> of a decoded value: map keys sorted, HTML characters escaped.</summary>
    public static string Marshal(JsonNode? value)
    {
        var builder = new StringBuilder();
        AppendJson(builder, value);
        return builder.ToString();
    }

    /// <summary>Go's <c>reflect.DeepEqual</c> of two decoded values (an <c>int64</c> never equals a <c>float64</c>).</summary>
    public static bool DeepEqual(JsonNode? left, JsonNode? right)
    {
        var kind = KindOf(left);
        if (kind != KindOf(right))
        {
            return false;
        }

        switch (kind)
        {
            case GoKind.Null:
                return true;
            case GoKind.Bool:
                return left!.GetValue<bool>() == right!.GetValue<bool>();
            case GoKind.String:
                return string.Equals(left!.GetValue<string>(), right!.GetValue<string>(), StringComparison.Ordinal);
            case GoKind.Int64:
                TryGetInt64(left!.AsValue(), out var a);
                TryGetInt64(right!.AsValue(), out var b);
                return a == b;
            case GoKind.Float64:
                return GetFloat64(left!.AsValue()).Equals(GetFloat64(right!.AsValue()));
            case GoKind.Slice:
                var leftItems = left!.AsArray();
                var rightItems = right!.AsArray();
                return leftItems.Count == rightItems.Count && leftItems.Select((item, i) => DeepEqual(item, rightItems[i])).All(equal => equal);
            default:
                var leftMap = left!.AsObject();
                var rightMap = right!.AsObject();
                return leftMap.Count == rightMap.Count
                    && leftMap.All(pair => rightMap.TryGetPropertyValue(pair.Key, out var other) && DeepEqual(pair.Value, other));
        }
    }

    /// <summary>
    /// Whether <paramref name="data"/> equals an enum value after Go's <c>reflect</c> conversion to the enum value's
    /// type, as kube-openapi's enum check does: <c>1.7</c> matches <c>1</c> (truncated), <c>97</c> matches <c>"a"</c>.
    /// </summary>
    public static bool EnumMatches(JsonNode? data, JsonNode? enumValue)
    {
        var dataKind = KindOf(data);
        var enumKind = KindOf(enumValue);
        if (dataKind == GoKind.Null || enumKind == GoKind.Null)
        {
            return false;
        }

        if (dataKind == enumKind)
        {
            return DeepEqual(data, enumValue);
        }

        switch (dataKind, enumKind)
        {
            case (GoKind.Int64, GoKind.Float64):
                TryGetInt64(data!.AsValue(), out var integer);
                return ((double)integer).Equals(GetFloat64(enumValue!.AsValue()));
            case (GoKind.Int64, GoKind.String):
                TryGetInt64(data!.AsValue(), out var codePoint);
                return string.Equals(RuneString(codePoint), enumValue!.GetValue<string>(), StringComparison.Ordinal);
            case (GoKind.Float64, GoKind.Int64):
                var number = Math.Truncate(GetFloat64(data!.AsValue()));
                TryGetInt64(enumValue!.AsValue(), out var target);
                return number is >= long.MinValue and < 9.2233720368547758E+18 && (long)number == target;
            default:
                return false;
        }
    }

    // Go's string(rune(x)): invalid code points become U+FFFD.
    private static string RuneString(long codePoint) =>
        codePoint is >= 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF) ? char.ConvertFromUtf32((int)codePoint) : "\uFFFD";

    private static void AppendJson(StringBuilder builder, JsonNode? value)
    {
        switch (KindOf(value))
        {
            case GoKind.Null:
                builder.Append("null");
                break;
            case GoKind.Bool:
                builder.Append(value!.GetValue<bool>() ? "true" : "false");
                break;
            case GoKind.String:
                AppendJsonString(builder, value!.GetValue<string>());
                break;
            case GoKind.Int64:
                TryGetInt64(value!.AsValue(), out var integer);
                builder.Append(integer.ToString(CultureInfo.InvariantCulture));
                break;
            case GoKind.Float64:
                builder.Append(FormatJsonFloat(GetFloat64(value!.AsValue())));
                break;
            case GoKind.Slice:
                builder.Append('[');
                var first = true;
                foreach (var item in value!.AsArray())
                {
                    builder.Append(first ? string.Empty : ",");
                    first = false;
                    AppendJson(builder, item);
                }

                builder.Append(']');
                break;
            default:
                builder.Append('{');
                var firstKey = true;
                foreach (var pair in value!.AsObject().OrderBy(p => p.Key, Utf8Order.Instance))
                {
                    builder.Append(firstKey ? string.Empty : ",");
                    firstKey = false;
                    AppendJsonString(builder, pair.Key);
                    builder.Append(':');
                    AppendJson(builder, pair.Value);
                }

                builder.Append('}');
                break;
        }
    }

    // encoding/json: 'f' unless the magnitude is below 1e-6 or at least 1e21, then 'e' with "e-07" cleaned to "e-7".
    private static string FormatJsonFloat(double value)
    {
        var magnitude = Math.Abs(value);
        if (magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21) || !Decompose(value, out var negative, out var digits, out var point))
        {
            return FormatFloatFixed(value);
        }

        return FormatExponent(negative, digits, point - 1, cleanNegativeExponent: true);
    }

    private static void AppendJsonString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var ch in text)
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
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    builder.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(ch);
                    break;
            }
        }

        builder.Append('"');
    }

    // The shortest round-trip decimal digits of |value| (no leading or trailing zeros) and the position of the
    // decimal point relative to them: value = 0.DIGITS × 10^point. False for zero, infinities and NaN.
    private static bool Decompose(double value, out bool negative, out string digits, out int point)
    {
        negative = value < 0 || (value == 0 && double.IsNegative(value));
        digits = string.Empty;
        point = 0;
        if (value == 0 || !double.IsFinite(value))
        {
            return false;
        }

        var text = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = text.IndexOfAny(['E', 'e']);
        var exponent = exponentAt < 0 ? 0 : int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var raw = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var leading = raw.Length - raw.TrimStart('0').Length;
        digits = raw.Trim('0');
        point -= leading;
        return true;
    }

    private static string FormatFixed(bool negative, string digits, int point)
    {
        if (digits.Length == 0)
        {
            return negative ? "-0" : "0";
        }

        var builder = new StringBuilder(negative ? "-" : string.Empty);
        if (point > 0)
        {
            builder.Append(digits.Length >= point ? digits[..point] : digits + new string('0', point - digits.Length));
        }
        else
        {
            builder.Append('0');
        }

        var fraction = Math.Max(digits.Length - point, 0);
        if (fraction > 0)
        {
            builder.Append('.');
            for (var i = 0; i < fraction; i++)
            {
                var index = point + i;
                builder.Append(index >= 0 && index < digits.Length ? digits[index] : '0');
            }
        }

        return builder.ToString();
    }

    private static string FormatExponent(bool negative, string digits, int exponent, bool cleanNegativeExponent)
    {
        var builder = new StringBuilder(negative ? "-" : string.Empty).Append(digits[0]);
        if (digits.Length > 1)
        {
            builder.Append('.').Append(digits, 1, digits.Length - 1);
        }

        builder.Append('e').Append(exponent < 0 ? '-' : '+');
        var magnitude = Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
        return builder.Append(magnitude.Length < 2 && !(cleanNegativeExponent && exponent < 0) ? "0" + magnitude : magnitude).ToString();
    }

    private static string SpecialFloat(double value) => value switch
    {
        0 => double.IsNegative(value) ? "-0" : "0",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => "NaN",
    };

    /// <summary>Go orders map keys by their UTF-8 bytes (UTF-16 ordinal order differs for characters beyond U+FFFF).</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? string.Empty));
    }
}
