using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Patching;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Registry;

/// <summary>The one place where a PATCH body is applied to the current object, per content type (<see cref="PatchTypes"/>).</summary>
internal static class PatchApplier
{
    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="current"/> (null only for an apply patch that creates)
    /// and returns the patched object. Patch failures become the Status errors kube-apiserver returns
    /// (docs/kubernetes-api-contract.md, "Errors kube-apiserver returns for patches"); server-side apply conflicts become 409 Conflict.
    /// </summary>
    public static JsonObject Apply(string mediaType, JsonObject? current, JsonNode patch, ResourceType type, string? fieldManager, bool force, bool status, TimeProvider time)
    {
        JsonNode? result;
        try
        {
            result = mediaType switch
            {
                PatchTypes.JsonPatch => patch is JsonArray ops
                    ? (ops.Count > JsonPatch.MaxOperations
                        ? throw new ApiException(413, "RequestEntityTooLarge", "The allowed number of operations in a JSON patch is " + JsonPatch.MaxOperations)
                        : JsonPatch.Apply(current ?? [], ops))
                    : throw ApiErrors.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
                PatchTypes.MergePatch => JsonMergePatch.Apply(current, RequireObject(patch)),
                PatchTypes.StrategicMergePatch => StrategicMergePatch.Apply(current ?? [], RequireObject(patch), type.Kind),
                // Server-side apply tracks spec fields only; on the status subresource the applied status replaces
                // the fields it names (atomic lists such as loadBalancer.ingress are replaced whole).
                PatchTypes.Apply when status => RequireObject(patch)["status"] is { } appliedStatus
                    ? JsonMergePatch.Apply(current, new JsonObject { ["status"] = appliedStatus.DeepClone() })
                    : current,
                PatchTypes.Apply => ServerSideApplyOrThrow(current, RequireObject(patch), type, fieldManager ?? string.Empty, force, time),
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
            var status = result.ConflictStatus();
            throw new ApiException(409, "Conflict", JsonRead.Str(status["message"]), status["details"]?.DeepClone().AsObject());
        }

        return result.Merged ?? throw new ApiException(500, "InternalError", "server-side apply produced no object");
    }

    private static JsonObject RequireObject(JsonNode patch) =>
        patch as JsonObject ?? throw ApiErrors.BadRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
}
