using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Hooks;

/// <summary>The one place where a PATCH body is applied to the current object, per content type.</summary>
internal static class PatchHook
{
    public const string JsonPatch = "application/json-patch+json";
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";

    /// <summary>Whether the media type is one of the four patch types.</summary>
    public static bool IsPatchType(string mediaType) =>
        mediaType is JsonPatch or MergePatch or StrategicMergePatch or ApplyPatch;

    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="current"/> (owned, may be modified) and returns
    /// the patched object. Patch failures become Kubernetes Status errors.
    /// </summary>
    public static JsonObject Apply(string mediaType, JsonObject current, JsonNode patch, ResourceType type, string? fieldManager, bool force)
    {
        _ = force;
        _ = fieldManager;
        JsonNode? result;
        try
        {
            result = mediaType switch
            {
                JsonPatch => patch is JsonArray ops
                    ? SimplePatches.JsonPatch(current, ops)
                    : throw ApiErrors.BadRequest("json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"),
                MergePatch or ApplyPatch => RequireObject(patch) is var p ? SimplePatches.MergePatch(current, p) : null,
                StrategicMergePatch => SimplePatches.MergePatch(current, StripDirectives(RequireObject(patch))),
                _ => throw ApiErrors.UnsupportedMediaType(mediaType),
            };
        }
        catch (InvalidOperationException ex)
        {
            throw new ApiException(422, "Invalid", "the server rejected our request due to an error in our request", null, ex);
        }

        return result as JsonObject ?? throw new ApiException(422, "Invalid", " \"\" is invalid: patch: Invalid value: the patched document is not an object", null);
    }

    private static JsonObject RequireObject(JsonNode patch) =>
        patch as JsonObject ?? throw ApiErrors.BadRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");

    private static JsonNode StripDirectives(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (k, v) in o)
                {
                    if (!k.StartsWith('$'))
                    {
                        copy[k] = v is null ? null : StripDirectives(v);
                    }
                }

                return copy;
            case JsonArray a:
                return new JsonArray([.. a.Where(e => e is not JsonObject eo || !eo.ContainsKey("$patch")).Select(e => e is null ? null : StripDirectives(e))]);
            default:
                return node.DeepClone();
        }
    }
}
