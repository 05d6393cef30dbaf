using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// JSON merge patch (RFC 7386, <c>application/merge-patch+json</c>): objects merge key by key, <c>null</c> deletes
/// a key, and anything else (arrays included) replaces the target value wholesale.
/// </summary>
/// <remarks>Pure and thread-safe: inputs are never modified; the result shares no nodes with them.</remarks>
public static class JsonMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/> and returns the new document.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return Merge(target, patch);
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return JsonNodes.Clone(patch);
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            result.TryGetPropertyValue(key, out var existing);
            var merged = Merge(existing, value);
            result[key] = merged;
        }

        return result;
    }
}
