namespace Ferry.ApiServer.Patching;

/// <summary>The four PATCH content types and which patcher each selects.</summary>
internal static class PatchTypes
{
    public const string JsonPatch = "application/json-patch+json";
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string Apply = "application/apply-patch+yaml";

    /// <summary>Whether the media type is one of the four patch types.</summary>
    public static bool IsPatchType(string mediaType) =>
        mediaType is JsonPatch or MergePatch or StrategicMergePatch or Apply;
}
