using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>Lenient readers of an openAPIV3Schema's JSON: a field of the wrong JSON type reads as unset. Pure.</summary>
internal static class SchemaJson
{
    public static bool IsBool(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False;

    public static bool IsString(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String;

    /// <summary>The string, or empty when unset or not a string.</summary>
    public static string GetString(JsonObject json, string name) => IsString(json[name]) ? json[name]!.GetValue<string>() : string.Empty;

    /// <summary>The string, or null when unset or not a string.</summary>
    public static string? GetOptionalString(JsonObject json, string name) => IsString(json[name]) ? json[name]!.GetValue<string>() : null;

    public static bool GetBool(JsonObject json, string name) => IsBool(json[name]) && json[name]!.GetValue<bool>();

    public static string[] GetStrings(JsonObject json, string name) =>
        json[name] is JsonArray array ? array.Where(IsString).Select(v => v!.GetValue<string>()).ToArray() : [];

    /// <summary>The <c>properties</c> (or another map of schemas) in document order, skipping non-objects.</summary>
    public static IEnumerable<(string Name, JsonObject Schema)> GetSchemas(JsonObject json, string name) =>
        json[name] is JsonObject map
            ? map.Where(pair => pair.Value is JsonObject).Select(pair => (pair.Key, pair.Value!.AsObject()))
            : [];

    /// <summary>The <c>allOf</c>/<c>anyOf</c>/<c>oneOf</c> branches, skipping non-objects.</summary>
    public static JsonObject[] GetSchemaList(JsonObject json, string name) =>
        json[name] is JsonArray array ? array.OfType<JsonObject>().ToArray() : [];

    /// <summary>Whether a key is present with a value other than JSON <c>null</c>.</summary>
    public static bool Has(JsonObject json, string name) => json[name] is not null;
}
