using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Controller.Pools;

/// <summary>Typed reads of <see cref="JsonNode"/>s whatever backs them (parsed text or values built in code).</summary>
internal static class JsonFields
{
    public static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;

    public static string? String(JsonNode? node) => Kind(node) == JsonValueKind.String ? node!.GetValue<string>() : null;

    public static long? Integer(JsonNode? node) =>
        Kind(node) == JsonValueKind.Number && long.TryParse(node!.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    public static bool? Boolean(JsonNode? node) => Kind(node) switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public static DateTimeOffset? Timestamp(JsonNode? node) =>
        String(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;

    /// <summary>RFC 3339 in UTC to the second, as metav1.Time serializes.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
