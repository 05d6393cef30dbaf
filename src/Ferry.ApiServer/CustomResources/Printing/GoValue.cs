using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>The Go kind a value has where upstream evaluates the path: on the object decoded as unstructured JSON.</summary>
internal enum GoKind
{
    /// <summary>JSON null (a nil interface).</summary>
    Nil,

    /// <summary>A JSON object (<c>map[string]interface{}</c>).</summary>
    Map,

    /// <summary>A JSON array (<c>[]interface{}</c>).</summary>
    Slice,

    /// <summary>A string, from the object or a quoted literal of the path.</summary>
    String,

    /// <summary>A boolean, from the object or a literal of the path.</summary>
    Bool,

    /// <summary>A JSON number without fraction or exponent that fits 64 bits (decoded as <c>int64</c>).</summary>
    Int64,

    /// <summary>An integer literal of the path (Go <c>int</c>: compares as an integer, but is no <c>int64</c> cell).</summary>
    Int,

    /// <summary>A byte of a string, which <c>.*</c> on a string yields.</summary>
    Uint8,

    /// <summary>Any other JSON number, or a float literal of the path.</summary>
    Float64,
}

/// <summary>A value found by a column path, typed as upstream's unstructured decoding types it.</summary>
internal readonly record struct GoValue(GoKind Kind, JsonNode? Node, string Text, long Integer, double Number, bool Flag)
{
    /// <summary>Types a node of the object: JSON numbers are int64 when their text parses as one, else float64.</summary>
    public static GoValue FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return new GoValue(GoKind.Nil, null, string.Empty, 0, 0, false);
            case JsonObject:
                return new GoValue(GoKind.Map, node, string.Empty, 0, 0, false);
            case JsonArray:
                return new GoValue(GoKind.Slice, node, string.Empty, 0, 0, false);
        }

        var value = node.AsValue();
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return String(value.TryGetValue<string>(out var s) ? s : JsonDocument.Parse(value.ToJsonString()).RootElement.GetString()!);
            case JsonValueKind.True:
                return Bool(true);
            case JsonValueKind.False:
                return Bool(false);
            case JsonValueKind.Number:
                var text = value.ToJsonString();
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    return new GoValue(GoKind.Int64, null, string.Empty, l, 0, false);
                }

                // Out of float64 range upstream fails to decode the object at all; here it is no value.
                var number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                return double.IsFinite(number) ? Float(number) : new GoValue(GoKind.Nil, null, string.Empty, 0, 0, false);
            default:
                return new GoValue(GoKind.Nil, null, string.Empty, 0, 0, false);
        }
    }

    /// <summary>A string value.</summary>
    public static GoValue String(string text) => new(GoKind.String, null, text, 0, 0, false);

    /// <summary>A boolean value.</summary>
    public static GoValue Bool(bool flag) => new(GoKind.Bool, null, string.Empty, 0, 0, flag);

    /// <summary>An integer literal of the path.</summary>
    public static GoValue Int(long integer) => new(GoKind.Int, null, string.Empty, integer, 0, false);

    /// <summary>A byte of a string.</summary>
    public static GoValue Uint8(byte b) => new(GoKind.Uint8, null, string.Empty, b, 0, false);

    /// <summary>A float64 value.</summary>
    public static GoValue Float(double number) => new(GoKind.Float64, null, string.Empty, 0, number, false);

    /// <summary>The object, when this is a map.</summary>
    public JsonObject? Map => Node as JsonObject;

    /// <summary>The array, when this is a slice.</summary>
    public JsonArray? Slice => Node as JsonArray;

    /// <summary>Elements as upstream's wildcard and recursive descent visit them: map values, array items, string bytes.</summary>
    public IEnumerable<GoValue> Children()
    {
        switch (Kind)
        {
            case GoKind.Map:
                foreach (var (_, child) in Map!)
                {
                    yield return FromJson(child);
                }

                break;
            case GoKind.Slice:
                foreach (var child in Slice!)
                {
                    yield return FromJson(child);
                }

                break;
            case GoKind.String:
                foreach (var b in Encoding.UTF8.GetBytes(Text))
                {
                    yield return Uint8(b);
                }

                break;
        }
    }
}
