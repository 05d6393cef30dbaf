namespace Ferry.ApiServer.Patching;

/// <summary>
/// How one list field merges: by <see cref="MergeKey"/> for lists of objects (<c>patchStrategy:"merge"</c> with
/// <c>patchMergeKey</c>), or as a set union when <see cref="MergeKey"/> is null (primitive lists with
/// <c>patchStrategy:"merge"</c>). <see cref="ApplyKeys"/> are the server-side-apply list-map keys
/// (<c>+listMapKey</c>), which can differ: Service ports merge on <c>port</c> but apply on <c>port</c>+<c>protocol</c>.
/// </summary>
/// <remarks>Immutable.</remarks>
/// <param name="MergeKey">The strategic-merge key, or null for a primitive set.</param>
/// <param name="ApplyKeys">The server-side-apply keys (empty for a primitive set).</param>
public sealed record ListMergeMeta(string? MergeKey, IReadOnlyList<string> ApplyKeys);
