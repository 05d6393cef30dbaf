using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Patching;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Hooks;

/// <summary>The one place where a PATCH body is applied to the current object, per content type.</summary>
internal static class PatchHook
{
    public const string JsonPatchType = "application/json-patch+json";
    public const string MergePatchType = "application/merge-patch+json";
    public const string StrategicMergePatchType = "application/strategic-merge-patch+json";
    public const string ApplyPatchType = "application/apply-patch+yaml";

    /// <summary>Whether the media type is one of the four patch types.</summary>
    public static bool IsPatchType(string mediaType) =>
        mediaType is JsonPatchType or MergePatchType or StrategicMergePatchType or ApplyPatchType;

    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="current"/> (null only for an apply patch that creates)
    /// and returns the patched object. Patch failures become the Status errors kube-apiserver returns
    /// (KUBE-MERGE.md §2.8); server-side apply conflicts become 409 Conflict.
    /// </summary>
    public static JsonObject Apply(string mediaType, JsonObject? current, JsonNode patch, ResourceType type, string? fieldManager, bool force, bool status, TimeProvider time)
    {
        JsonNode? result;
        try
        {
            result = mediaType switch
            {
                JsonPatchType => patch is JsonArray ops
                    ? (ops.Count > JsonPatch.MaxOperations
                        ? throw new ApiException(413, "RequestEntityTooLarge", "The allowed number of operations in a JSON patch is " + JsonPatch.MaxOperations)
                        : JsonPatch.Apply(current ?? [], ops))
                    : throw ApiErrors.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
                MergePatchType => JsonMergePatch.Apply(current, RequireObject(patch)),
                StrategicMergePatchType => StrategicMergePatch.Apply(current ?? [], RequireObject(patch), type.Kind),
                // Server-side apply tracks spec fields only; on the status subresource the applied status replaces
                // the fields it names (atomic lists such as loadBalancer.ingress are replaced whole).
                ApplyPatchType when status => RequireObject(patch)["status"] is { } appliedStatus
                    ? JsonMergePatch.Apply(current, new JsonObject { ["status"] = appliedStatus.DeepClone() })
                    : current,
                ApplyPatchType => ServerSideApplyOrThrow(current, RequireObject(patch), type, fieldManager ?? string.Empty, force, time),
                _ => throw ApiErrors.UnsupportedMediaType(mediaType),
            };
        }
        catch (PatchException ex)
        {
            throw ex.Kind switch
            {
                PatchErrorKind.BadRequest => ApiErrors.BadRequest(ex.Message),
                PatchErrorKind.Internal => new ApiException(500, string.Empty, ex.Message),
                _ => new ApiException(422, "Invalid", ex.Message),
            };
        }

        return result as JsonObject ?? throw new ApiException(422, "Invalid", " \"\" is invalid: patch: Invalid value: the patched document is not an object");
    }

    private static JsonObject ServerSideApplyOrThrow(JsonObject? current, JsonObject applied, ResourceType type, string fieldManager, bool force, TimeProvider time)
    {
        var result = ServerSideApply.Apply(current, applied, type.Kind, fieldManager, force, time);
        if (!result.Succeeded)
        {
            var status = result.ConflictStatus(type.Plural, JsonRead.Str(current?["metadata"]?["name"]));
            throw new ApiException(409, "Conflict", JsonRead.Str(status["message"]), status["details"]?.DeepClone().AsObject());
        }

        return result.Merged ?? throw new ApiException(500, "InternalError", "server-side apply produced no object");
    }

    private static JsonObject RequireObject(JsonNode patch) =>
        patch as JsonObject ?? throw ApiErrors.BadRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
}
