using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

// The merge algorithm of StrategicMergePatch, maps and directives ($patch, $retainKeys, $setElementOrder,
// $deleteFromPrimitiveList); lists are in StrategicMergePatch.Merger.Lists.cs.
public static partial class StrategicMergePatch
{
    /// <summary>One merge run. Holds only the schema; not shared between threads.</summary>
    private sealed partial class Merger(PatchSchema schema)
    {
        private PatchSchema Schema { get; } = schema;

        public JsonObject MergeMap(JsonObject original, JsonObject patch, string path)
        {
            if (patch.ContainsKey(Directive))
            {
                switch (DirectiveOf(patch))
                {
                    case "replace":
                        patch.Remove(Directive);
                        return (JsonObject)JsonNodes.StripDirectivesAndNulls(patch)!;
                    case "delete":
                        return [];
                    default:
                        throw new PatchException(
                            $"unknown patch type: {JsonNodes.GoFormat(patch[Directive])} in map: {JsonNodes.GoFormat(patch)}",
                            PatchErrorKind.Internal);
                }
            }

            ApplyRetainKeys(original, patch);
            ApplySetElementOrder(original, patch, path);

            foreach (var (key, patchValue) in patch.ToList())
            {
                if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
                {
                    DeleteFromPrimitive(original, ExtractKey(key, DeleteFromPrimitiveList), patchValue);
                    continue;
                }

                if (key.StartsWith('$'))
                {
                    // Unknown directives are never stored.
                    continue;
                }

                if (patchValue is null)
                {
                    original.Remove(key);
                    continue;
                }

                if (!original.TryGetPropertyValue(key, out var originalValue) || originalValue is null)
                {
                    if (IsDirectiveMap(patchValue))
                    {
                        // removeDirectives: a {"$patch": …} map under a new key means "do not add".
                        original.Remove(key);
                        continue;
                    }

                    original[key] = JsonNodes.StripDirectivesAndNulls(patchValue);
                    continue;
                }

                if (JsonNodes.KindOf(originalValue) != JsonNodes.KindOf(patchValue))
                {
                    original[key] = JsonNodes.StripDirectivesAndNulls(patchValue);
                    continue;
                }

                var childPath = ChildPath(path, key);
                switch (originalValue)
                {
                    case JsonObject originalMap:
                        var mergedMap = MergeMap(originalMap, (JsonObject)patchValue, childPath);
                        if (!ReferenceEquals(mergedMap, originalMap))
                        {
                            original[key] = Detach(mergedMap);
                        }

                        break;
                    case JsonArray originalList:
                        original[key] = MergeSliceHandler(originalList, (JsonArray)patchValue, childPath);
                        break;
                    default:
                        original[key] = JsonNodes.Clone(patchValue);
                        break;
                }
            }

            return original;
        }

        private static string ExtractKey(string key, string prefix)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || key[..slash] != prefix)
            {
                throw new PatchException(
                    prefix == DeleteFromPrimitiveList ? "invalid patch format of primitive list" : "invalid patch format of setElementOrder list",
                    PatchErrorKind.BadRequest);
            }

            return key[(slash + 1)..];
        }

        private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
        {
            if (!patch.TryGetPropertyValue(RetainKeys, out var retain))
            {
                return;
            }

            patch.Remove(RetainKeys);
            if (retain is not JsonArray list || list.Any(k => k is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
            {
                throw new PatchException("invalid patch format of retainKeys", PatchErrorKind.BadRequest);
            }

            var keep = list.Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, value) in patch)
            {
                if (value is null || key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal)
                    || key.StartsWith(SetElementOrder, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!keep.Contains(key))
                {
                    throw new PatchException("invalid patch format of retainKeys", PatchErrorKind.BadRequest);
                }
            }

            foreach (var key in original.Select(p => p.Key).ToList())
            {
                if (!keep.Contains(key))
                {
                    original.Remove(key);
                }
            }
        }

        private void ApplySetElementOrder(JsonObject original, JsonObject patch, string path)
        {
            foreach (var (key, orderNode) in patch.ToList())
            {
                if (!key.StartsWith(SetElementOrder, StringComparison.Ordinal))
                {
                    continue;
                }

                patch.Remove(key);
                if (orderNode is not JsonArray order)
                {
                    throw new PatchException("invalid patch format of setElementOrder list", PatchErrorKind.BadRequest);
                }

                var field = ExtractKey(key, SetElementOrder);
                JsonArray? originalList = null;
                if (original.TryGetPropertyValue(field, out var originalNode) && originalNode is not null)
                {
                    originalList = originalNode as JsonArray ?? throw BadArgType("[]interface {}", originalNode);
                }

                JsonArray? patchList = null;
                if (patch.TryGetPropertyValue(field, out var patchNode) && patchNode is not null)
                {
                    patchList = patchNode as JsonArray ?? throw BadArgType("[]interface {}", patchNode);
                }

                var fieldPath = ChildPath(path, field);
                var mergeKey = Schema.Lookup(fieldPath)?.MergeKey;
                ValidateAgainstOrder(patchList, order, mergeKey);

                List<JsonNode?> merged;
                if (originalList is not null && patchList is null)
                {
                    merged = [.. originalList];
                }
                else if (originalList is null && patchList is not null)
                {
                    merged = [.. ((JsonArray)JsonNodes.StripDirectivesAndNulls(patchList)!)];
                }
                else if (originalList is not null && patchList is not null)
                {
                    merged = [.. MergeSliceHandler(originalList, patchList, fieldPath)];
                }
                else
                {
                    continue;
                }

                var orderItems = order.ToList();
                var (patchItems, serverOnly) = Partition(merged, orderItems, mergeKey);
                var result = NormalizeElementOrder(patchItems, serverOnly, orderItems, originalList?.ToList() ?? [], mergeKey);
                original[field] = ToArray(result);
                patch.Remove(field);
            }
        }

        private static void ValidateAgainstOrder(JsonArray? patchList, JsonArray order, string? mergeKey)
        {
            if (patchList is null || patchList.Count == 0 || order.Count == 0)
            {
                return;
            }

            var nonDelete = mergeKey is null
                ? patchList.ToList()
                : patchList.Where(e => !(e is JsonObject o && DirectiveOf(o) == "delete")).ToList();
            int patchIndex = 0, orderIndex = 0;
            while (patchIndex < nonDelete.Count && orderIndex < order.Count)
            {
                if (IsDirectiveMap(nonDelete[patchIndex]))
                {
                    patchIndex++;
                    continue;
                }

                var equal = mergeKey is null
                    ? JsonNodes.DeepEquals(nonDelete[patchIndex], order[orderIndex])
                    : JsonNodes.DeepEquals(KeyOf(nonDelete[patchIndex], mergeKey, true), KeyOf(order[orderIndex], mergeKey, true));
                if (equal)
                {
                    patchIndex++;
                }

                orderIndex++;
            }

            if (patchIndex < nonDelete.Count && orderIndex >= order.Count)
            {
                throw new PatchException(
                    $"The order in patch list:\n{JsonNodes.GoFormat(patchList)}\n doesn't match $setElementOrder list:\n{JsonNodes.GoFormat(order)}\n",
                    PatchErrorKind.Internal);
            }
        }

        private static void DeleteFromPrimitive(JsonObject original, string field, JsonNode? patchValue)
        {
            if (patchValue is not JsonArray toDelete)
            {
                throw BadArgType("[]interface {}", patchValue);
            }

            if (!original.TryGetPropertyValue(field, out var originalNode) || originalNode is null)
            {
                return;
            }

            if (originalNode is not JsonArray originalList)
            {
                throw BadArgType("[]interface {}", originalNode);
            }

            var kept = originalList.Where(item => !toDelete.Any(d => JsonNodes.DeepEquals(d, item))).ToList();
            if (kept.Count == 0)
            {
                original.Remove(field);
            }
            else
            {
                original[field] = ToArray(kept);
            }
        }
    }
}
