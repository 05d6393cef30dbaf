using System.Globalization;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>, <c>kubectl apply --server-side</c>), simplified:
/// the applied configuration is merged into the live object by the kind's list keys (Service ports by
/// <c>port</c>+<c>protocol</c>, containers by <c>name</c>, …; sets as unions; other lists and scalars replaced),
/// fields this manager applied before but no longer applies are removed unless another manager owns them, and
/// the manager's <c>managedFields</c> entry (operation <c>Apply</c>, <c>FieldsV1</c>) is recorded.
/// </summary>
/// <remarks>
/// <para>Conflicts: a field owned by another manager whose value the apply would change is a conflict
/// (409) unless <c>force</c>, which transfers ownership. Only managers present in <c>managedFields</c> count, so
/// objects written without field tracking never conflict.</para>
/// <para>Simplifications: no schema-aware defaulting of the applied config (except the <c>protocol: TCP</c> key
/// default), no per-version conversion, <c>status</c> is never applied through the main resource, applied nulls
/// are ignored, and ownership of an <c>Update</c> manager is only as precise as what the caller records.</para>
/// <para>Pure and thread-safe: inputs are not modified.</para>
/// </remarks>
public static class ServerSideApply
{
    /// <summary>Applies with the system clock for the <c>managedFields</c> timestamp.</summary>
    public static ServerSideApplyResult Apply(JsonNode? live, JsonNode applied, string kind, string fieldManager, bool force) =>
        Apply(live, applied, kind, fieldManager, force, TimeProvider.System);

    /// <summary>Applies <paramref name="applied"/> on behalf of <paramref name="fieldManager"/>.</summary>
    /// <exception cref="PatchException">The applied configuration is not an object, or the manager is empty.</exception>
    public static ServerSideApplyResult Apply(JsonNode? live, JsonNode applied, string kind, string fieldManager, bool force, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (string.IsNullOrEmpty(fieldManager))
        {
            throw new PatchException("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        if (applied is not JsonObject appliedObject)
        {
            throw new PatchException("the applied configuration must be a JSON or YAML object", PatchErrorKind.BadRequest);
        }

        if (live is not null and not JsonObject)
        {
            throw new PatchException("the live object is not a JSON object", PatchErrorKind.BadRequest);
        }

        var schema = PatchSchema.For(kind);
        var config = (JsonObject)JsonNodes.StripDirectivesAndNulls(appliedObject)!;
        var created = live is null;
        var liveObject = (JsonObject?)live?.DeepClone() ?? [];
        var apiVersion = ServerString(config, "apiVersion") ?? ServerString(liveObject, "apiVersion") ?? "v1";

        var newSet = ManagedFieldSet.Build(config, schema);
        var newLeaves = ManagedFieldSet.Leaves(newSet);
        var entries = ReadManagedFields(liveObject);
        var mine = entries.FirstOrDefault(e => e.Manager == fieldManager && e.Operation == "Apply");
        var others = entries.Where(e => !ReferenceEquals(e, mine)).ToList();

        // Conflicts: another manager owns a leaf whose value would change.
        var conflicts = new List<(ManagedEntry Entry, string[] Path)>();
        foreach (var other in others)
        {
            var owned = ManagedFieldSet.Leaves(other.Fields).Select(ManagedFieldSet.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var leaf in newLeaves)
            {
                if (leaf[^1] == "." || leaf[^1].StartsWith("v:", StringComparison.Ordinal) || !owned.Contains(ManagedFieldSet.Key(leaf)))
                {
                    continue;
                }

                if (!JsonNodes.DeepEquals(ManagedFieldSet.Get(liveObject, leaf), ManagedFieldSet.Get(config, leaf)))
                {
                    conflicts.Add((other, leaf));
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            return new ServerSideApplyResult(
                created ? null : (JsonObject)live!.DeepClone(),
                created,
                conflicts.Select(c => new ApplyConflict(c.Entry.Manager, c.Entry.ApiVersion, ManagedFieldSet.Render(c.Path), c.Entry.Operation, ServerString(c.Entry.Raw, "subresource") ?? string.Empty)).ToList());
        }

        foreach (var (entry, path) in conflicts)
        {
            ManagedFieldSet.RemoveLeaf(entry.Fields, path);
        }

        var result = MergeObject(liveObject, config, string.Empty, schema);

        // Fields this manager applied before and dropped now are removed, unless someone else still owns them.
        if (mine is not null)
        {
            var keep = newLeaves.Select(ManagedFieldSet.Key).ToHashSet(StringComparer.Ordinal);
            var ownedByOthers = others.SelectMany(o => ManagedFieldSet.Leaves(o.Fields)).Select(ManagedFieldSet.Key).ToHashSet(StringComparer.Ordinal);
            var removed = new List<string>();
            foreach (var leaf in ManagedFieldSet.Leaves(mine.Fields).OrderBy(l => l.Length).ThenBy(l => l[^1] == "." ? 0 : 1))
            {
                var key = ManagedFieldSet.Key(leaf);
                if (keep.Contains(key) || ownedByOthers.Contains(key) || IsInnerNode(leaf, keep)
                    || removed.Any(r => key.StartsWith(r + '\u0001', StringComparison.Ordinal)))
                {
                    continue;
                }

                ManagedFieldSet.Remove(result, leaf);
                removed.Add(ManagedFieldSet.Key(leaf[^1] == "." ? leaf[..^1] : leaf));
            }
        }

        var updatedEntries = new JsonArray();
        var time = timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var wroteMine = false;
        foreach (var entry in entries)
        {
            if (ReferenceEquals(entry, mine))
            {
                updatedEntries.Add(Entry(fieldManager, apiVersion, time, newSet));
                wroteMine = true;
            }
            else if (entry.Fields.Count > 0 || entry.Raw["fieldsV1"] is null)
            {
                var raw = (JsonObject)entry.Raw.DeepClone();
                if (raw["fieldsV1"] is not null)
                {
                    raw["fieldsV1"] = entry.Fields.DeepClone();
                }

                updatedEntries.Add(raw);
            }
        }

        if (!wroteMine)
        {
            updatedEntries.Add(Entry(fieldManager, apiVersion, time, newSet));
        }

        if (result["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            result["metadata"] = metadata;
        }

        metadata["managedFields"] = updatedEntries;
        return new ServerSideApplyResult(result, created, []);
    }

    /// <summary>A previous leaf that is now an inner node of the new set (e.g. a map that gained keys) stays.</summary>
    private static bool IsInnerNode(string[] leaf, HashSet<string> keep)
    {
        var prefix = ManagedFieldSet.Key(leaf) + '\u0001';
        return keep.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));
    }

    private static JsonObject Entry(string manager, string apiVersion, string time, JsonObject fields) => new()
    {
        ["manager"] = manager,
        ["operation"] = "Apply",
        ["apiVersion"] = apiVersion,
        ["time"] = time,
        ["fieldsType"] = "FieldsV1",
        ["fieldsV1"] = fields.DeepClone(),
    };

    private static List<ManagedEntry> ReadManagedFields(JsonObject live)
    {
        var entries = new List<ManagedEntry>();
        if (live["metadata"]?["managedFields"] is not JsonArray array)
        {
            return entries;
        }

        foreach (var item in array.OfType<JsonObject>())
        {
            entries.Add(new ManagedEntry(
                ServerString(item, "manager") ?? string.Empty,
                ServerString(item, "operation") ?? string.Empty,
                ServerString(item, "apiVersion") ?? "v1",
                item["fieldsV1"] is JsonObject fields ? (JsonObject)fields.DeepClone() : [],
                item));
        }

        return entries;
    }

    private static string? ServerString(JsonObject obj, string key) =>
        obj[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;

    private static JsonObject MergeObject(JsonObject live, JsonObject config, string path, PatchSchema schema)
    {
        foreach (var (key, value) in config)
        {
            if (value is null || (path.Length == 0 && key == "status") || (path == "metadata" && key == "managedFields"))
            {
                continue;
            }

            var childPath = path.Length == 0 ? key : path + "." + key;
            var existing = live[key];
            switch (value)
            {
                case JsonObject child when existing is JsonObject existingObject:
                    MergeObject(existingObject, child, childPath, schema);
                    break;
                case JsonArray list when existing is JsonArray existingList && schema.Lookup(childPath) is { } meta:
                    live[key] = MergeList(existingList, list, childPath, meta, schema);
                    break;
                default:
                    live[key] = value.DeepClone();
                    break;
            }
        }

        return live;
    }

    private static JsonArray MergeList(JsonArray live, JsonArray config, string path, ListMergeMeta meta, PatchSchema schema)
    {
        var result = new JsonArray([.. live.Select(JsonNodes.Clone)]);
        if (meta.ApplyKeys.Count == 0)
        {
            foreach (var value in config)
            {
                if (!result.Any(r => JsonNodes.DeepEquals(r, value)))
                {
                    result.Add(JsonNodes.Clone(value));
                }
            }

            return result;
        }

        foreach (var element in config.OfType<JsonObject>())
        {
            var key = ManagedFieldSet.ElementKey(element, meta.ApplyKeys);
            var match = result.OfType<JsonObject>().FirstOrDefault(r => ManagedFieldSet.ElementKey(r, meta.ApplyKeys) == key);
            if (match is null)
            {
                result.Add(element.DeepClone());
            }
            else
            {
                MergeObject(match, element, path + "[]", schema);
            }
        }

        return result;
    }

    private sealed record ManagedEntry(string Manager, string Operation, string ApiVersion, JsonObject Fields, JsonObject Raw);
}
