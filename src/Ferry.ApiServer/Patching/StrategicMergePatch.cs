using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// Kubernetes strategic merge patch (<c>application/strategic-merge-patch+json</c>), the server half of
/// apimachinery <c>strategicpatch.StrategicMergeMapPatch</c> with <c>MergeParallelList</c> and
/// <c>IgnoreUnmatchedNulls</c>, driven by <see cref="PatchSchema"/>.
/// </summary>
/// <remarks>
/// <para>Supported: <c>null</c> deletes; maps merge; lists with a merge key merge element-wise (new elements are
/// placed after the patch element before them, or first); primitive merge lists are set unions; other lists are
/// replaced; <c>$patch: replace|delete</c> on maps and in lists, <c>$setElementOrder/&lt;field&gt;</c>,
/// <c>$deleteFromPrimitiveList/&lt;field&gt;</c> and <c>$retainKeys</c>. Upstream quirks kept on purpose: a patch
/// list <c>[]</c> is a no-op on merge lists, Service ports merge on <c>port</c> alone, a duplicate key in the patch
/// merges twice.</para>
/// <para>Differences: subtrees that are inserted rather than merged are stripped of nulls and <c>$</c> directives
/// (upstream relies on typed decoding for that); a primitive list emptied by <c>$deleteFromPrimitiveList</c> is
/// removed, as the typed round trip (<c>omitempty</c>) does upstream; keys are not checked against the Go struct,
/// so <c>unable to find api field in struct …</c> is never raised.</para>
/// <para>Pure and thread-safe: inputs are cloned and never modified.</para>
/// </remarks>
public static partial class StrategicMergePatch
{
    private const string Directive = "$patch";
    private const string RetainKeys = "$retainKeys";
    private const string SetElementOrder = "$setElementOrder";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList";

    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/> using the merge rules of <paramref name="kind"/>.</summary>
    /// <exception cref="PatchException">The patch is malformed or cannot be applied.</exception>
    public static JsonNode Apply(JsonNode target, JsonNode patch, string kind)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(patch);
        if (target is not JsonObject targetObject)
        {
            throw new PatchException("invalid JSON document", PatchErrorKind.BadRequest);
        }

        if (patch is not JsonObject patchObject)
        {
            throw new PatchException("invalid JSON document", PatchErrorKind.BadRequest);
        }

        var merger = new Merger(PatchSchema.For(kind));
        return merger.MergeMap((JsonObject)targetObject.DeepClone(), (JsonObject)patchObject.DeepClone(), string.Empty);
    }

    private static PatchException NoMergeKey(JsonNode? element, string mergeKey) =>
        new($"map: {JsonNodes.GoFormat(element)} does not contain declared merge key: {mergeKey}", PatchErrorKind.Internal);

    private static PatchException BadArgType(string expected, JsonNode? actual) =>
        new($"expected a {expected}, but received a {GoTypeName(actual)}", PatchErrorKind.Internal);

    private static string GoTypeName(JsonNode? node) => node switch
    {
        null => "%!s(<nil>)",
        JsonObject => "map[string]interface {}",
        JsonArray => "[]interface {}",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "float64",
            _ => "bool",
        },
        _ => "unknown",
    };

    private static string ChildPath(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static JsonNode? Detach(JsonNode? node) => node is null || node.Parent is null ? node : node.DeepClone();

    private static bool IsDirectiveMap(JsonNode? node) => node is JsonObject o && o.ContainsKey(Directive);

    private static string? DirectiveOf(JsonObject map) =>
        map[Directive] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static JsonNode? KeyOf(JsonNode? element, string mergeKey, bool required)
    {
        if (element is JsonObject obj && obj.TryGetPropertyValue(mergeKey, out var value))
        {
            return value;
        }

        if (required)
        {
            throw NoMergeKey(element, mergeKey);
        }

        return null;
    }

    private static bool HasKey(JsonNode? element, string mergeKey) => element is JsonObject obj && obj.ContainsKey(mergeKey);
}
