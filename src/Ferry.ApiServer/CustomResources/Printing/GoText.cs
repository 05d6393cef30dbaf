using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>
/// How jsonpath's <c>PrintResults</c> prints one value in a string column: maps and arrays as Go's
/// <c>json.Marshal</c> writes them (sorted keys, HTML-escaped), anything else as <c>fmt.Fprint</c> does.
/// </summary>
internal static class GoText
{
    private const string Hex = "0123456789abcdef";

    /// <summary>The text of a value, e.g. <c>["a","b"]</c>, <c>42</c>, <c>1e+06</c>, <c>&lt;no value&gt;</c> for JSON null.</summary>
    public static string Print(GoValue value)
    {
        switch (value.Kind)
        {
            case GoKind.Map or GoKind.Slice:
                var json = new StringBuilder();
                Marshal(json, value.Node);
                return json.ToString();
            case GoKind.Nil:
                return "<no value>";
            case GoKind.String:
                return value.Text;
            case GoKind.Bool:
                return value.Flag ? "true" : "false";
            case GoKind.Float64:
                return GoFloat.FormatG(value.Number);
            default:
                return value.Integer.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static void Marshal(StringBuilder sb, JsonNode? node)
    {
        var value = GoValue.FromJson(node);
        switch (value.Kind)
        {
            case GoKind.Nil:
                sb.Append("null");
                break;
            case GoKind.Map:
                sb.Append('{');
                var first = true;
                foreach (var (key, child) in value.Map!.OrderBy(kv => kv.Key, Utf8Order.Instance))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    AppendString(sb, key);
                    sb.Append(':');
                    Marshal(sb, child);
                }

                sb.Append('}');
                break;
            case GoKind.Slice:
                sb.Append('[');
                for (var i = 0; i < value.Slice!.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Marshal(sb, value.Slice[i]);
                }

                sb.Append(']');
                break;
            case GoKind.String:
                AppendString(sb, value.Text);
                break;
            case GoKind.Bool:
                sb.Append(value.Flag ? "true" : "false");
                break;
            case GoKind.Float64:
                sb.Append(GoFloat.FormatJson(value.Number));
                break;
            default:
                sb.Append(value.Integer.ToString(CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Go's <c>encoding/json</c> string escaping with HTML escaping on.</summary>
    private static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < 0x20 or '<' or '>' or '&':
                    sb.Append("\\u00").Append(Hex[rune.Value >> 4]).Append(Hex[rune.Value & 0xF]);
                    break;
                case 0x2028 or 0x2029:
                    sb.Append("\\u202").Append(Hex[rune.Value & 0xF]);
                    break;
                default:
                    sb.Append(rune.ToString());
                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>Go orders map keys by their UTF-8 bytes.</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? string.Empty));
    }
}

/// <summary>Go's shortest float64 formats: <c>fmt</c>'s <c>%v</c> and <c>encoding/json</c>'s.</summary>
internal static class GoFloat
{
    /// <summary><c>strconv.FormatFloat(f, 'g', -1, 64)</c>, which <c>fmt.Fprint</c> uses: exponent form below 1e-4 and from 1e6.</summary>
    public static string FormatG(double f)
    {
        var (negative, digits, point) = Shortest(f);
        var exp = point - 1;
        var text = digits.Length == 0 ? "0" : exp < -4 || exp >= 6 ? FormatE(digits, exp) : FormatF(digits, point);
        return negative ? "-" + text : text;
    }

    /// <summary><c>encoding/json</c>: plain decimals unless below 1e-6 or from 1e21, with <c>e-07</c> shortened to <c>e-7</c>.</summary>
    public static string FormatJson(double f)
    {
        var (negative, digits, point) = Shortest(f);
        var abs = Math.Abs(f);
        string text;
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
        {
            text = FormatE(digits, point - 1);
            var n = text.Length;
            if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0')
            {
                text = text[..(n - 2)] + text[n - 1];
            }
        }
        else
        {
            text = digits.Length == 0 ? "0" : FormatF(digits, point);
        }

        return negative ? "-" + text : text;
    }

    /// <summary>The shortest round-tripping decimal digits (no leading or trailing zeros) and the point position: value = 0.digits × 10^point.</summary>
    private static (bool Negative, string Digits, int Point) Shortest(double f)
    {
        // .NET's "R" is the shortest round-tripping form, as Go's; only its layout differs (1E+21, 1.5E-07, 0.0001).
        var text = Math.Abs(f).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = text.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var all = dot >= 0 ? text.Remove(dot, 1) : text;
        var point = (dot >= 0 ? dot : text.Length) + exponent;
        var digits = all.TrimStart('0');
        point -= all.Length - digits.Length;
        return (double.IsNegative(f), digits.TrimEnd('0'), point);
    }

    /// <summary><c>d.ddde±xx</c> with at least two exponent digits.</summary>
    private static string FormatE(string digits, int exp)
    {
        var sb = new StringBuilder();
        sb.Append(digits[0]);
        if (digits.Length > 1)
        {
            sb.Append('.').Append(digits, 1, digits.Length - 1);
        }

        sb.Append('e').Append(exp < 0 ? '-' : '+');
        var magnitude = Math.Abs(exp);
        sb.Append(magnitude < 10 ? "0" + magnitude.ToString(CultureInfo.InvariantCulture) : magnitude.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>Plain decimal notation of 0.digits × 10^point.</summary>
    private static string FormatF(string digits, int point)
    {
        if (point <= 0)
        {
            return "0." + new string('0', -point) + digits;
        }

        if (point >= digits.Length)
        {
            return digits + new string('0', point - digits.Length);
        }

        return digits[..point] + "." + digits[point..];
    }
}
