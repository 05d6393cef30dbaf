using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// JSON patch (RFC 6902, <c>application/json-patch+json</c>): an array of <c>add</c>, <c>remove</c>,
/// <c>replace</c>, <c>move</c>, <c>copy</c> and <c>test</c> operations on JSON pointers, applied in order and
/// atomically (any failure leaves no partial result).
/// </summary>
/// <remarks>
/// Pure and thread-safe: the target is cloned first and never modified. Failures throw
/// <see cref="PatchException"/> of kind <see cref="PatchErrorKind.Invalid"/> (kube-apiserver answers 422), or
/// <see cref="PatchErrorKind.BadRequest"/> when the operations document itself is malformed.
/// </remarks>
public static class JsonPatch
{
    /// <summary>kube-apiserver refuses JSON patches with more operations than this (413).</summary>
    public const int MaxOperations = 10000;

    /// <summary>Applies <paramref name="operations"/> to a copy of <paramref name="target"/>.</summary>
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(operations);
        var document = target.DeepClone();
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] is not JsonObject operation)
            {
                throw new PatchException($"invalid JSON patch: operation {i} is not an object", PatchErrorKind.BadRequest);
            }

            document = ApplyOne(document, operation, i);
        }

        return document ?? throw new PatchException("the JSON patch removed the whole document");
    }

    private static JsonNode? ApplyOne(JsonNode? document, JsonObject operation, int index)
    {
        var op = RequiredString(operation, "op", index);
        var path = JsonPointer.Parse(RequiredString(operation, "path", index));
        switch (op)
        {
            case "add":
                return Add(document, path, ValueOf(operation, index), op);
            case "remove":
                return Remove(document, path, op);
            case "replace":
                var replaced = Remove(document, path, op);
                return Add(replaced, path, ValueOf(operation, index), op);
            case "move":
                var from = JsonPointer.Parse(RequiredString(operation, "from", index));
                if (path.IsWithin(from) && path.Tokens.Count > from.Tokens.Count)
                {
                    throw new PatchException($"move operation from \"{from}\" to \"{path}\": a value cannot be moved into one of its children");
                }

                if (!from.TryGet(document, out var moved))
                {
                    throw Missing(op, from);
                }

                var detached = JsonNodes.Clone(moved);
                return Add(Remove(document, from, op), path, detached, op);
            case "copy":
                var source = JsonPointer.Parse(RequiredString(operation, "from", index));
                if (!source.TryGet(document, out var copied))
                {
                    throw Missing(op, source);
                }

                return Add(document, path, JsonNodes.Clone(copied), op);
            case "test":
                if (!path.TryGet(document, out var actual) || !JsonNodes.DeepEquals(actual, ValueOf(operation, index)))
                {
                    throw new PatchException($"test operation failed: the value at \"{path}\" does not equal {operation["value"]?.ToJsonString() ?? "null"}");
                }

                return document;
            default:
                throw new PatchException($"invalid JSON patch: operation {index} has unsupported op \"{op}\"", PatchErrorKind.BadRequest);
        }
    }

    private static JsonNode? Add(JsonNode? document, JsonPointer path, JsonNode? value, string op)
    {
        if (path.IsRoot)
        {
            return value;
        }

        var parent = Parent(document, path, op);
        var last = path.Tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array:
                if (last == "-")
                {
                    array.Add(value);
                }
                else if (JsonPointer.TryParseIndex(last, out var index) && index <= array.Count)
                {
                    array.Insert(index, value);
                }
                else
                {
                    throw new PatchException($"{op} operation: index \"{last}\" is out of bounds at \"{path}\"");
                }

                break;
            default:
                throw Missing(op, path);
        }

        return document;
    }

    private static JsonNode? Remove(JsonNode? document, JsonPointer path, string op)
    {
        if (path.IsRoot)
        {
            return null;
        }

        var parent = Parent(document, path, op);
        var last = path.Tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj.Remove(last);
                return document;
            case JsonArray array when JsonPointer.TryParseIndex(last, out var index) && index < array.Count:
                array.RemoveAt(index);
                return document;
            default:
                throw Missing(op, path);
        }
    }

    private static JsonNode Parent(JsonNode? document, JsonPointer path, string op)
    {
        var parentPointer = JsonPointer.Parse(string.Concat(path.Tokens.Take(path.Tokens.Count - 1).Select(t =>
            "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        if (!parentPointer.TryGet(document, out var parent) || parent is not (JsonObject or JsonArray))
        {
            throw Missing(op, path);
        }

        return parent;
    }

    private static PatchException Missing(string op, JsonPointer path) =>
        new($"{op} operation does not apply: doc is missing path: \"{path}\"");

    private static string RequiredString(JsonObject operation, string name, int index)
    {
        if (operation[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        throw new PatchException($"invalid JSON patch: operation {index} has no string \"{name}\"", PatchErrorKind.BadRequest);
    }

    private static JsonNode? ValueOf(JsonObject operation, int index)
    {
        if (!operation.TryGetPropertyValue("value", out var value))
        {
            throw new PatchException($"invalid JSON patch: operation {index} has no \"value\"", PatchErrorKind.BadRequest);
        }

        return JsonNodes.Clone(value);
    }
}
