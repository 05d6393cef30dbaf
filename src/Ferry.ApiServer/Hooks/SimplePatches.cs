using System.Globalization;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Hooks;

/// <summary>
/// RFC 7386 merge patch and RFC 6902 JSON patch on <see cref="JsonNode"/> trees, used by <see cref="PatchHook"/>
/// until the full implementations in <c>Ferry.ApiServer.Patching</c> are wired in.
/// </summary>
internal static class SimplePatches
{
    /// <summary>RFC 7386: objects merge recursively, <c>null</c> deletes, anything else replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = MergePatch(result[key], value);
                result[key] = merged is not null && merged.Parent is not null ? merged.DeepClone() : merged;
            }
        }

        return result;
    }

    /// <summary>RFC 6902 operations; a failing operation throws <see cref="InvalidOperationException"/>.</summary>
    public static JsonNode? JsonPatch(JsonNode? target, JsonArray ops)
    {
        foreach (var opNode in ops)
        {
            if (opNode is not JsonObject op || op["op"]?.GetValue<string>() is not { } name || op["path"]?.GetValue<string>() is not { } path)
            {
                throw new InvalidOperationException("invalid JSON patch operation");
            }

            switch (name)
            {
                case "add":
                    target = Add(target, path, Value(op));
                    break;
                case "remove":
                    target = Remove(target, path, out _);
                    break;
                case "replace":
                    target = Remove(target, path, out _);
                    target = Add(target, path, Value(op));
                    break;
                case "move":
                    target = Remove(target, From(op), out var moved);
                    target = Add(target, path, moved);
                    break;
                case "copy":
                    target = Add(target, path, Resolve(target, From(op))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(target, path), op["value"]))
                    {
                        throw new InvalidOperationException("testing value " + path + " failed");
                    }

                    break;
                default:
                    throw new InvalidOperationException("Unexpected kind: " + name);
            }
        }

        return target;
    }

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw new InvalidOperationException("missing value");

    private static string From(JsonObject op) =>
        op["from"]?.GetValue<string>() ?? throw new InvalidOperationException("missing from");

    private static List<string> Tokens(string path)
    {
        if (path.Length == 0)
        {
            return [];
        }

        if (path[0] != '/')
        {
            throw new InvalidOperationException("invalid path " + path);
        }

        return [.. path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? Resolve(JsonNode? node, string path)
    {
        foreach (var t in Tokens(path))
        {
            node = node switch
            {
                JsonObject o => o.TryGetPropertyValue(t, out var v) ? v : throw new InvalidOperationException("path " + path + " not found"),
                JsonArray a when int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => throw new InvalidOperationException("path " + path + " not found"),
            };
        }

        return node;
    }

    private static JsonNode? Add(JsonNode? root, string path, JsonNode? value)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0)
        {
            return value;
        }

        var parent = Resolve(root, "/" + string.Join('/', tokens.Take(tokens.Count - 1).Select(Escape)));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new InvalidOperationException("path " + path + " not found");
        }

        return root;
    }

    private static JsonNode? Remove(JsonNode? root, string path, out JsonNode? removed)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0)
        {
            removed = root;
            return null;
        }

        var parent = Resolve(root, "/" + string.Join('/', tokens.Take(tokens.Count - 1).Select(Escape)));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var v):
                o.Remove(last);
                removed = v;
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default:
                throw new InvalidOperationException("path " + path + " not found");
        }

        return root;
    }

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
