using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Tests.Patching;

internal static class PatchAssert
{
    public static JsonNode Json(string text) => JsonNode.Parse(text)!;

    /// <summary>Compares JSON documents semantically (key order ignored, array order kept).</summary>
    public static void JsonEqual(string expected, JsonNode? actual, string? because = null)
    {
        var normalizedExpected = Normalize(JsonNode.Parse(expected));
        var normalizedActual = Normalize(actual);
        Assert.True(normalizedExpected == normalizedActual,
            $"{because}\nexpected: {normalizedExpected}\nactual:   {normalizedActual}");
    }

    private static string Normalize(JsonNode? node) => Sort(node)?.ToJsonString() ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Sort).ToArray()),
        _ => node?.DeepClone(),
    };
}
