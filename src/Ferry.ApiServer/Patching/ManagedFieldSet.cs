using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// Field sets in the <c>FieldsV1</c> format of <c>metadata.managedFields</c>: <c>f:&lt;name&gt;</c> for object
/// fields and map keys, <c>k:{"port":80,"protocol":"TCP"}</c> for list-map elements (with <c>"."</c> marking the
/// element itself), <c>v:&lt;json&gt;</c> for set members; atomic lists and scalars are leaves.
/// </summary>
/// <remarks>Pure and thread-safe.</remarks>
internal static class ManagedFieldSet
{
    /// <summary>Fields that identify the object or are system-owned; they are never tracked (upstream resets them).</summary>
    private static readonly HashSet<string> _ignoredRoot = ["apiVersion", "kind", "status"];

    private static readonly HashSet<string> _ignoredMetadata =
        ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
         "deletionGracePeriodSeconds", "managedFields", "selfLink"];

    /// <summary>Builds the field set of an applied configuration.</summary>
    public static JsonObject Build(JsonObject obj, PatchSchema schema) => BuildObject(obj, string.Empty, schema);

    /// <summary>All leaf paths of a field set (a path ending in <c>"."</c> owns a list element itself).</summary>
    public static List<string[]> Leaves(JsonObject set)
    {
        var leaves = new List<string[]>();
        Collect(set, [], leaves);
        return leaves;
    }

    /// <summary>A stable text key for a path.</summary>
    public static string Key(string[] path) => string.Join('\u0001', path);

    /// <summary>The element key of a list-map element, e.g. <c>{"port":80,"protocol":"TCP"}</c> (keys sorted).</summary>
    public static string ElementKey(JsonObject element, IReadOnlyList<string> keys)
    {
        var key = new JsonObject();
        foreach (var name in keys.Order(StringComparer.Ordinal))
        {
            if (KeyValue(element, name) is { } value)
            {
                key[name] = value.DeepClone();
            }
        }

        return key.ToJsonString();
    }

    /// <summary>A key field's value; <c>protocol</c> defaults to <c>TCP</c> as the OpenAPI schema says.</summary>
    public static JsonNode? KeyValue(JsonObject element, string name) =>
        element[name] ?? (name == "protocol" ? JsonValue.Create("TCP") : null);

    /// <summary>The node at a path in an object, or null.</summary>
    public static JsonNode? Get(JsonNode? root, string[] path)
    {
        var node = root;
        foreach (var token in path)
        {
            if (token == ".")
            {
                return node;
            }

            node = Step(node, token);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Removes the field, list element or set member a leaf path names; prunes objects it empties.</summary>
    public static void Remove(JsonNode root, string[] path)
    {
        var target = path[^1] == "." ? path[..^1] : path;
        if (target.Length == 0)
        {
            return;
        }

        var parent = Get(root, target[..^1]);
        var last = target[^1];
        switch (parent)
        {
            case JsonObject obj when last.StartsWith("f:", StringComparison.Ordinal):
                obj.Remove(last[2..]);
                break;
            case JsonArray array:
                var index = IndexOf(array, last);
                if (index >= 0)
                {
                    array.RemoveAt(index);
                }

                break;
            default:
                return;
        }

        // Prune containers this removal emptied (omitempty does the same after the typed round trip upstream).
        for (var depth = target.Length - 1; depth > 0; depth--)
        {
            var container = Get(root, target[..depth]);
            var isEmpty = container switch
            {
                JsonObject o => o.Count == 0,
                JsonArray a => a.Count == 0,
                _ => false,
            };
            if (!isEmpty || !target[depth - 1].StartsWith("f:", StringComparison.Ordinal))
            {
                break;
            }

            if (Get(root, target[..(depth - 1)]) is JsonObject holder)
            {
                holder.Remove(target[depth - 1][2..]);
            }
        }
    }

    /// <summary>Removes one leaf path from a field set, pruning emptied branches.</summary>
    public static void RemoveLeaf(JsonObject set, string[] path)
    {
        var chain = new List<JsonObject> { set };
        JsonObject current = set;
        for (var i = 0; i < path.Length - 1; i++)
        {
            if (current[path[i]] is not JsonObject next)
            {
                return;
            }

            chain.Add(next);
            current = next;
        }

        current.Remove(path[^1]);
        for (var i = path.Length - 1; i > 0; i--)
        {
            if (chain[i].Count == 0)
            {
                chain[i - 1].Remove(path[i - 1]);
            }
            else
            {
                break;
            }
        }
    }

    /// <summary>Renders a path as upstream's <c>fieldpath</c> does: <c>.spec.ports[port=80,protocol="TCP"].name</c>.</summary>
    public static string Render(string[] path)
    {
        var builder = new StringBuilder();
        foreach (var token in path)
        {
            if (token.StartsWith("f:", StringComparison.Ordinal))
            {
                builder.Append('.').Append(token[2..]);
            }
            else if (token.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(token[2..]) is JsonObject key)
            {
                builder.Append('[').Append(string.Join(",", key.Select(p => p.Key + "=" + p.Value?.ToJsonString()))).Append(']');
            }
            else if (token.StartsWith("v:", StringComparison.Ordinal))
            {
                builder.Append("[=").Append(token[2..]).Append(']');
            }
        }

        return builder.ToString();
    }

    private static JsonObject BuildObject(JsonObject obj, string path, PatchSchema schema)
    {
        var set = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (value is null || IsIgnored(path, key))
            {
                continue;
            }

            var childPath = path.Length == 0 ? key : path + "." + key;
            switch (value)
            {
                case JsonObject child:
                    var childSet = BuildObject(child, childPath, schema);
                    if (childSet.Count > 0 || child.Count == 0)
                    {
                        // An object whose fields are all untracked (metadata with only a name) is not owned.
                        set["f:" + key] = childSet;
                    }

                    break;
                case JsonArray list:
                    set["f:" + key] = BuildList(list, childPath, schema);
                    break;
                default:
                    set["f:" + key] = new JsonObject();
                    break;
            }
        }

        return set;
    }

    private static JsonObject BuildList(JsonArray list, string path, PatchSchema schema)
    {
        var meta = schema.Lookup(path);
        var set = new JsonObject();
        if (meta is null)
        {
            return set;
        }

        if (meta.ApplyKeys.Count > 0)
        {
            foreach (var element in list.OfType<JsonObject>())
            {
                var elementSet = new JsonObject { ["."] = new JsonObject() };
                foreach (var (key, value) in BuildObject(element, path + "[]", schema).ToList())
                {
                    elementSet[key] = value?.DeepClone();
                }

                set["k:" + ElementKey(element, meta.ApplyKeys)] = elementSet;
            }
        }
        else
        {
            foreach (var value in list)
            {
                if (value is not null)
                {
                    set["v:" + value.ToJsonString()] = new JsonObject();
                }
            }
        }

        return set;
    }

    private static bool IsIgnored(string path, string key) =>
        (path.Length == 0 && _ignoredRoot.Contains(key)) || (path == "metadata" && _ignoredMetadata.Contains(key));

    private static void Collect(JsonObject set, List<string> prefix, List<string[]> leaves)
    {
        foreach (var (key, child) in set)
        {
            prefix.Add(key);
            if (key == "." || child is not JsonObject { Count: > 0 } childSet)
            {
                leaves.Add([.. prefix]);
            }
            else
            {
                Collect(childSet, prefix, leaves);
            }

            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    private static JsonNode? Step(JsonNode? node, string token)
    {
        if (token.StartsWith("f:", StringComparison.Ordinal))
        {
            return node is JsonObject obj ? obj[token[2..]] : null;
        }

        if (node is JsonArray array)
        {
            var index = IndexOf(array, token);
            return index >= 0 ? array[index] : null;
        }

        return null;
    }

    private static int IndexOf(JsonArray array, string token)
    {
        if (token.StartsWith("k:", StringComparison.Ordinal))
        {
            if (JsonNode.Parse(token[2..]) is not JsonObject key)
            {
                return -1;
            }

            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject element && key.All(p => JsonNodes.DeepEquals(KeyValue(element, p.Key), p.Value)))
                {
                    return i;
                }
            }
        }
        else if (token.StartsWith("v:", StringComparison.Ordinal))
        {
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(token[2..]);
            }
            catch (JsonException)
            {
                return -1;
            }

            for (var i = 0; i < array.Count; i++)
            {
                if (JsonNodes.DeepEquals(array[i], value))
                {
                    return i;
                }
            }
        }

        return -1;
    }
}
