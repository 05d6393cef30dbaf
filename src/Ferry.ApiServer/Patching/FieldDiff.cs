using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// What a write changed, as structured-merge-diff's comparison of the old and new object: the member paths
/// (FieldsV1 tokens) added or modified, and those removed. A container that appears or disappears is a member
/// itself (FieldsV1's <c>"."</c>), with everything below it; list elements and set members are tracked by the
/// kind's keys (<see cref="PatchSchema"/>), other lists are atomic. <c>apiVersion</c>, <c>kind</c> and the
/// server-set metadata are never tracked.
/// </summary>
/// <remarks>Pure and thread-safe.</remarks>
internal sealed class FieldDiff
{
    private static readonly HashSet<string> _ignoredMetadata =
        ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
         "deletionGracePeriodSeconds", "managedFields", "selfLink"];

    private readonly PatchSchema _schema;

    private FieldDiff(PatchSchema schema) => _schema = schema;

    /// <summary>Member paths added or modified.</summary>
    public FieldPathSet Changed { get; } = new();

    /// <summary>Member paths removed.</summary>
    public FieldPathSet Removed { get; } = new();

    /// <summary>Compares <paramref name="old"/> (null: nothing, as for a create) with <paramref name="updated"/>.</summary>
    public static FieldDiff Compare(JsonObject? old, JsonObject updated, string kind)
    {
        var diff = new FieldDiff(PatchSchema.For(kind));
        diff.CompareObjects(old ?? [], updated, [], string.Empty);
        return diff;
    }

    private void CompareObjects(JsonObject old, JsonObject updated, List<string> tokens, string schemaPath)
    {
        foreach (var (key, value) in updated)
        {
            if (value is null || IsIgnored(tokens, key))
            {
                continue;
            }

            var childTokens = Child(tokens, "f:" + key);
            var childSchema = schemaPath.Length == 0 ? key : schemaPath + "." + key;
            var previous = old[key];
            if (previous is null)
            {
                // Top-level containers (spec, metadata, status) are structs that always exist upstream: never members themselves.
                AddSubtree(Changed, value, childTokens, childSchema, includeSelf: tokens.Count > 0 || value is not JsonObject);
            }
            else
            {
                CompareNodes(previous, value, childTokens, childSchema);
            }
        }

        foreach (var (key, value) in old)
        {
            if (value is not null && updated[key] is null && !IsIgnored(tokens, key))
            {
                AddSubtree(Removed, value, Child(tokens, "f:" + key), schemaPath.Length == 0 ? key : schemaPath + "." + key, includeSelf: true);
            }
        }
    }

    private void CompareNodes(JsonNode old, JsonNode updated, List<string> tokens, string schemaPath)
    {
        switch (old, updated)
        {
            case (JsonObject o, JsonObject u):
                CompareObjects(o, u, tokens, schemaPath);
                break;
            case (JsonArray o, JsonArray u) when _schema.Lookup(schemaPath) is { } meta:
                CompareLists(o, u, tokens, schemaPath, meta);
                break;
            default:
                if (!JsonNodes.DeepEquals(old, updated))
                {
                    AddSubtree(Removed, old, tokens, schemaPath, includeSelf: false);
                    AddSubtree(Changed, updated, tokens, schemaPath, includeSelf: true);
                }

                break;
        }
    }

    private void CompareLists(JsonArray old, JsonArray updated, List<string> tokens, string schemaPath, ListMergeMeta meta)
    {
        var oldItems = Items(old, meta);
        var newItems = Items(updated, meta);
        foreach (var (token, value) in newItems)
        {
            if (oldItems.TryGetValue(token, out var previous))
            {
                if (value is JsonObject && previous is JsonObject)
                {
                    CompareNodes(previous, value, Child(tokens, token), schemaPath + "[]");
                }
            }
            else
            {
                AddSubtree(Changed, value, Child(tokens, token), schemaPath + "[]", includeSelf: true);
            }
        }

        foreach (var (token, value) in oldItems)
        {
            if (!newItems.ContainsKey(token))
            {
                AddSubtree(Removed, value, Child(tokens, token), schemaPath + "[]", includeSelf: true);
            }
        }
    }

    /// <summary>The elements of a keyed list by <c>k:</c> token, or the members of a set by <c>v:</c> token (first occurrence wins).</summary>
    private static Dictionary<string, JsonNode> Items(JsonArray list, ListMergeMeta meta)
    {
        var items = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (item is null)
            {
                continue;
            }

            if (meta.ApplyKeys.Count == 0)
            {
                items.TryAdd("v:" + item.ToJsonString(), item);
            }
            else if (item is JsonObject element)
            {
                items.TryAdd("k:" + ManagedFieldSet.ElementKey(element, meta.ApplyKeys), element);
            }
        }

        return items;
    }

    /// <summary>Adds the node's path (when <paramref name="includeSelf"/>) and every member path below it.</summary>
    private void AddSubtree(FieldPathSet set, JsonNode node, List<string> tokens, string schemaPath, bool includeSelf)
    {
        if (includeSelf)
        {
            set.Add(tokens);
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (value is not null && !IsIgnored(tokens, key))
                    {
                        AddSubtree(set, value, Child(tokens, "f:" + key), schemaPath + "." + key, includeSelf: true);
                    }
                }

                break;
            case JsonArray list when _schema.Lookup(schemaPath) is { } meta:
                foreach (var (token, value) in Items(list, meta))
                {
                    AddSubtree(set, value, Child(tokens, token), schemaPath + "[]", includeSelf: true);
                }

                break;
        }
    }

    private static bool IsIgnored(List<string> tokens, string key) =>
        (tokens.Count == 0 && key is "apiVersion" or "kind")
        || (tokens is ["f:metadata"] && _ignoredMetadata.Contains(key));

    private static List<string> Child(List<string> tokens, string token) => [.. tokens, token];
}
