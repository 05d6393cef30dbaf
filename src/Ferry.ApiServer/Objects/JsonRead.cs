using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Objects;

/// <summary>Tolerant readers for JSON nodes whether they were parsed or built in code.</summary>
internal static class JsonRead
{
    /// <summary>The string value, or empty when absent or not a string.</summary>
    public static string Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty;

    /// <summary>The integer value, or 0 when absent or not an integer.</summary>
    public static long Long(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : 0;
}
