using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>Small helpers over <see cref="JsonNode"/> shared by the patch engines. Pure and thread-safe.</summary>
internal static class JsonNodes
{
    /// <summary>A deep copy (null stays null), so results never share nodes with inputs.</summary>
    public static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    /// <summary>JSON value equality: same type and value; numbers compare numerically; objects ignore key order.</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        switch (a)
        {
            case JsonObject oa when b is JsonObject ob:
                if (oa.Count != ob.Count)
                {
                    return false;
                }

                foreach (var (key, value) in oa)
                {
                    if (!ob.TryGetPropertyValue(key, out var other) || !DeepEquals(value, other))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray aa when b is JsonArray ab:
                if (aa.Count != ab.Count)
                {
                    return false;
                }

                for (var i = 0; i < aa.Count; i++)
                {
                    if (!DeepEquals(aa[i], ab[i]))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValue va when b is JsonValue vb:
                var ka = va.GetValueKind();
                var kb = vb.GetValueKind();
                if (ka != kb)
                {
                    return false;
                }

                return ka switch
                {
                    JsonValueKind.String => va.GetValue<string>() == vb.GetValue<string>(),
                    JsonValueKind.Number => NumberEquals(va, vb),
                    _ => true,
                };
            default:
                return false;
        }
    }

    /// <summary>The JSON shape class used when deciding whether two values have "the same type".</summary>
    public static JsonValueKind KindOf(JsonNode? node) => node switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        JsonValue v => v.GetValueKind() is JsonValueKind.False ? JsonValueKind.True : v.GetValueKind(),
        _ => JsonValueKind.Undefined,
    };

    /// <summary>Formats a node as Go's <c>%v</c> does for decoded JSON (<c>map[a:1 b:x]</c>, <c>[a b]</c>).</summary>
    public static string GoFormat(JsonNode? node)
    {
        var builder = new StringBuilder();
        AppendGo(builder, node);
        return builder.ToString();
    }

    /// <summary>Removes nulls and <c>$</c>-directive keys recursively (used on subtrees that are inserted, not merged).</summary>
    public static JsonNode? StripDirectivesAndNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (value is null || key.StartsWith('$'))
                    {
                        continue;
                    }

                    result[key] = StripDirectivesAndNulls(value);
                }

                return result;
            case JsonArray array:
                var list = new JsonArray();
                foreach (var item in array)
                {
                    if (item is JsonObject o && o.ContainsKey("$patch"))
                    {
                        continue;
                    }

                    list.Add(StripDirectivesAndNulls(item));
                }

                return list;
            default:
                return Clone(node);
        }
    }

    private static bool NumberEquals(JsonValue a, JsonValue b)
    {
        var ta = a.ToJsonString();
        var tb = b.ToJsonString();
        if (decimal.TryParse(ta, NumberStyles.Float, CultureInfo.InvariantCulture, out var da)
            && decimal.TryParse(tb, NumberStyles.Float, CultureInfo.InvariantCulture, out var db))
        {
            return da == db;
        }

        return double.Parse(ta, CultureInfo.InvariantCulture) == double.Parse(tb, CultureInfo.InvariantCulture);
    }

    private static void AppendGo(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case null:
                builder.Append("<nil>");
                break;
            case JsonObject obj:
                builder.Append("map[");
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(' ');
                    }

                    first = false;
                    builder.Append(key).Append(':');
                    AppendGo(builder, value);
                }

                builder.Append(']');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(' ');
                    }

                    AppendGo(builder, array[i]);
                }

                builder.Append(']');
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        builder.Append(value.GetValue<string>());
                        break;
                    case JsonValueKind.Number:
                        builder.Append(GoFloat(value));
                        break;
                    default:
                        builder.Append(value.ToJsonString());
                        break;
                }

                break;
        }
    }

    private static string GoFloat(JsonValue value)
    {
        // Go decodes JSON numbers to float64 and %v prints them in shortest %g form: 80, 1.5, 1e+06.
        var number = double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
        if ((Math.Abs(number) < 1e6 && Math.Abs(number) >= 1e-4) || number == 0)
        {
            return number.ToString("R", CultureInfo.InvariantCulture);
        }

        var text = number.ToString("E16", CultureInfo.InvariantCulture);
        var mantissa = double.Parse(text[..text.IndexOf('E', StringComparison.Ordinal)], CultureInfo.InvariantCulture)
            .ToString("R", CultureInfo.InvariantCulture);
        var exponent = int.Parse(text[(text.IndexOf('E', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }
}
