using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

// The merge algorithm of StrategicMergePatch, lists: merge by key, primitives as sets, the $patch
// directives inside lists, and the element order of the result.
public static partial class StrategicMergePatch
{
    private sealed partial class Merger
    {
        private JsonArray MergeSliceHandler(JsonArray original, JsonArray patch, string path)
        {
            var meta = Schema.Lookup(path);
            if (meta is null)
            {
                return (JsonArray)JsonNodes.StripDirectivesAndNulls(patch)!;
            }

            return ToArray(MergeSlice([.. original], [.. patch], meta.MergeKey, path));
        }

        private List<JsonNode?> MergeSlice(List<JsonNode?> original, List<JsonNode?> patch, string? mergeKey, string path)
        {
            if (original.Count == 0 && patch.Count == 0)
            {
                return original;
            }

            var elementKind = ElementKind(original, patch);
            if (elementKind != JsonValueKind.Object)
            {
                var merged = Deduplicate(original.Concat(patch));
                var (patchItems, serverOnly) = Partition(merged, patch, null);
                return NormalizeElementOrder(patchItems, serverOnly, patch, original, null);
            }

            if (mergeKey is null)
            {
                throw new PatchException($"cannot merge lists without merge key for {path}", PatchErrorKind.Internal);
            }

            (original, patch) = WithSpecialElements(original, patch, mergeKey);
            var mergedMaps = WithoutSpecialElements(original, patch, mergeKey, path + "[]");
            var (patchMaps, serverMaps) = Partition(mergedMaps, patch, mergeKey);
            return NormalizeElementOrder(patchMaps, serverMaps, patch, original, mergeKey);
        }

        private static JsonValueKind ElementKind(List<JsonNode?> original, List<JsonNode?> patch)
        {
            JsonValueKind? previous = null;
            foreach (var item in original.Concat(patch))
            {
                var kind = JsonNodes.KindOf(item);
                if (previous is null)
                {
                    if (kind == JsonValueKind.Array)
                    {
                        throw new PatchException("lists of lists are not supported", PatchErrorKind.Invalid);
                    }

                    previous = kind;
                }
                else if (previous != kind)
                {
                    throw new PatchException(
                        $"list element types are not identical: [{JsonNodes.GoFormat(new JsonArray([.. original.Select(JsonNodes.Clone)]))} {JsonNodes.GoFormat(new JsonArray([.. patch.Select(JsonNodes.Clone)]))}]",
                        PatchErrorKind.Internal);
                }
            }

            return previous ?? JsonValueKind.Null;
        }

        private static List<JsonNode?> Deduplicate(IEnumerable<JsonNode?> items)
        {
            var result = new List<JsonNode?>();
            foreach (var item in items)
            {
                if (!result.Any(r => JsonNodes.DeepEquals(r, item)))
                {
                    result.Add(item);
                }
            }

            return result;
        }

        private static (List<JsonNode?> Original, List<JsonNode?> Patch) WithSpecialElements(
            List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
        {
            var plain = new List<JsonNode?>();
            var replace = false;
            foreach (var element in patch)
            {
                if (element is not JsonObject map || !map.ContainsKey(Directive))
                {
                    plain.Add(element);
                    continue;
                }

                switch (DirectiveOf(map))
                {
                    case "delete":
                        var value = KeyOf(map, mergeKey, true);
                        original = original.Where(o => !(HasKey(o, mergeKey) && JsonNodes.DeepEquals(KeyOf(o, mergeKey, false), value))).ToList();
                        break;
                    case "replace":
                        replace = true;
                        break;
                    case "merge":
                        throw new PatchException("merging lists cannot yet be specified in the patch", PatchErrorKind.Internal);
                    default:
                        throw new PatchException(
                            $"unknown patch type: {JsonNodes.GoFormat(map[Directive])} in map: {JsonNodes.GoFormat(map)}",
                            PatchErrorKind.Internal);
                }
            }

            return replace
                ? (plain.Select(JsonNodes.StripDirectivesAndNulls).ToList(), [])
                : (original, plain);
        }

        private List<JsonNode?> WithoutSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey, string elementPath)
        {
            var merged = new List<JsonNode?>(original);
            foreach (var element in patch)
            {
                var value = KeyOf(element, mergeKey, true);
                var index = merged.FindIndex(o => HasKey(o, mergeKey) && JsonNodes.DeepEquals(KeyOf(o, mergeKey, false), value));
                if (index >= 0)
                {
                    var target = (JsonObject)Detach(merged[index])!;
                    merged[index] = MergeMap(target, (JsonObject)element!.DeepClone(), elementPath);
                }
                else
                {
                    merged.Add(JsonNodes.StripDirectivesAndNulls(element));
                }
            }

            return merged;
        }

        private static (List<JsonNode?> PatchItems, List<JsonNode?> ServerOnly) Partition(
            List<JsonNode?> merged, List<JsonNode?> by, string? mergeKey)
        {
            var patchItems = new List<JsonNode?>();
            var serverOnly = new List<JsonNode?>();
            foreach (var item in merged)
            {
                bool found;
                if (mergeKey is null)
                {
                    found = by.Any(b => JsonNodes.DeepEquals(b, item));
                }
                else
                {
                    var value = KeyOf(item, mergeKey, true);
                    found = by.Any(b => HasKey(b, mergeKey) && JsonNodes.DeepEquals(KeyOf(b, mergeKey, false), value));
                }

                (found ? patchItems : serverOnly).Add(item);
            }

            return (patchItems, serverOnly);
        }

        private static List<JsonNode?> NormalizeElementOrder(
            List<JsonNode?> patchItems, List<JsonNode?> serverOnly, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string? mergeKey)
        {
            var sortedPatch = NormalizeSliceOrder(patchItems, patchOrder, mergeKey);
            var sortedServer = NormalizeSliceOrder(serverOnly, serverOrder, mergeKey);
            return MergeSorted(sortedServer, sortedPatch, serverOrder, mergeKey);
        }

        private static List<JsonNode?> NormalizeSliceOrder(List<JsonNode?> toSort, List<JsonNode?> order, string? mergeKey)
        {
            var toDelete = new List<JsonNode?>();
            if (mergeKey is not null)
            {
                foreach (var item in toSort.Concat(order))
                {
                    KeyOf(item, mergeKey, true);
                }

                toDelete = order.Where(o => o is JsonObject map && DirectiveOf(map) == "delete").ToList();
            }

            var sorted = toSort
                .Select((item, position) => (Item: item, Position: position, Rank: IndexOf(order, item, mergeKey)))
                .OrderBy(x => x.Rank < 0 ? int.MaxValue : x.Rank)
                .ThenBy(x => x.Position)
                .Select(x => x.Item)
                .ToList();
            if (toDelete.Count > 0)
            {
                sorted = sorted.Where(s => !toDelete.Any(d => JsonNodes.DeepEquals(KeyOf(d, mergeKey!, false), KeyOf(s, mergeKey!, false)))).ToList();
            }

            return sorted;
        }

        private static List<JsonNode?> MergeSorted(List<JsonNode?> left, List<JsonNode?> right, List<JsonNode?> serverOrder, string? mergeKey)
        {
            var result = new List<JsonNode?>(left.Count + right.Count);
            int i = 0, j = 0;
            while (i < left.Count || j < right.Count)
            {
                if (i >= left.Count)
                {
                    result.Add(right[j++]);
                }
                else if (j >= right.Count)
                {
                    result.Add(left[i++]);
                }
                else
                {
                    var li = IndexOf(serverOrder, left[i], mergeKey);
                    var ri = IndexOf(serverOrder, right[j], mergeKey);
                    if (li >= 0 && ri >= 0 && li < ri)
                    {
                        result.Add(left[i++]);
                    }
                    else
                    {
                        result.Add(right[j++]);
                    }
                }
            }

            return result;
        }

        private static int IndexOf(List<JsonNode?> list, JsonNode? value, string? mergeKey)
        {
            if (mergeKey is null)
            {
                return list.FindIndex(item => JsonNodes.DeepEquals(item, value));
            }

            if (!HasKey(value, mergeKey))
            {
                return -1;
            }

            var key = KeyOf(value, mergeKey, false);
            return list.FindIndex(item => HasKey(item, mergeKey) && JsonNodes.DeepEquals(KeyOf(item, mergeKey, false), key));
        }

        private static JsonArray ToArray(List<JsonNode?> items) => new([.. items.Select(Detach)]);
    }
}
