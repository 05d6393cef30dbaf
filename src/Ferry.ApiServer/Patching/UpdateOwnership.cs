using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// <c>managedFields</c> for writes that are not server-side apply (create, update, merge/JSON/strategic patch), as
/// kube-apiserver's field manager records them: the writer becomes an <c>Update</c> manager (with its subresource)
/// owning every field the write added or changed; those fields leave every other manager's set; removed fields leave
/// every set; managers left with nothing are dropped. Server-side apply then conflicts with these managers.
/// </summary>
/// <remarks>Pure and thread-safe; mutates only the new object's <c>metadata.managedFields</c>.</remarks>
internal static class UpdateOwnership
{
    /// <summary>
    /// Records the write of <paramref name="updated"/> over <paramref name="live"/> (null for a create) by
    /// <paramref name="manager"/>. The managers start from the live object's, unless a main-resource write sends its
    /// own non-empty <c>managedFields</c> (upstream takes those; <c>[{}]</c> clears them).
    /// </summary>
    public static void Record(JsonObject? live, JsonObject updated, string kind, string apiVersion, string manager, string subresource, TimeProvider time)
    {
        if (updated["metadata"] is not JsonObject metadata)
        {
            return;
        }

        var liveEntries = live?["metadata"]?["managedFields"] as JsonArray;
        var sent = metadata["managedFields"] as JsonArray;
        var entries = subresource.Length == 0 && sent is { Count: > 0 } && (live is null || !JsonNode.DeepEquals(sent, liveEntries))
            ? sent
            : liveEntries;
        if (entries is [JsonObject { Count: 0 }])
        {
            entries = null;
        }

        var diff = FieldDiff.Compare(live, updated, kind);
        if (diff.Changed.Count == 0 && diff.Removed.Count == 0)
        {
            // Nothing changed: the managers stay exactly as they were (a no-op write stays a no-op).
            SetEntries(metadata, entries?.DeepClone().AsArray());
            return;
        }

        var touched = new FieldPathSet();
        touched.UnionWith(diff.Changed);
        touched.UnionWith(diff.Removed);

        var result = new JsonArray();
        FieldPathSet? mine = null;
        foreach (var entry in entries?.OfType<JsonObject>() ?? [])
        {
            var fields = entry["fieldsV1"] is JsonObject f ? FieldPathSet.FromFieldsV1(f) : new FieldPathSet();
            if (Text(entry, "manager") == manager && Text(entry, "operation") == "Update" && Text(entry, "subresource") == subresource && mine is null)
            {
                mine = fields;
                continue;
            }

            var before = fields.Count;
            fields.ExceptWith(touched);
            if (fields.Count == 0 && entry["fieldsV1"] is not null)
            {
                continue;
            }

            var copy = (JsonObject)entry.DeepClone();
            if (fields.Count != before)
            {
                copy["fieldsV1"] = fields.ToFieldsV1();
            }

            result.Add(copy);
        }

        var owned = mine ?? new FieldPathSet();
        owned.UnionWith(diff.Changed);
        owned.ExceptWith(diff.Removed);
        if (owned.Count > 0)
        {
            var entry = new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = "Update",
                ["apiVersion"] = apiVersion,
                ["time"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = owned.ToFieldsV1(),
            };
            if (subresource.Length > 0)
            {
                entry["subresource"] = subresource;
            }

            result.Add(entry);
        }

        // Upstream's order: by operation (Apply first), then time, manager, apiVersion, subresource.
        var sorted = result.OfType<JsonObject>()
            .OrderBy(e => Text(e, "operation"), StringComparer.Ordinal)
            .ThenBy(e => Text(e, "time"), StringComparer.Ordinal)
            .ThenBy(e => Text(e, "manager"), StringComparer.Ordinal)
            .ThenBy(e => Text(e, "apiVersion"), StringComparer.Ordinal)
            .ThenBy(e => Text(e, "subresource"), StringComparer.Ordinal)
            .ToList();
        result.Clear();
        SetEntries(metadata, new JsonArray([.. sorted]));
    }

    private static void SetEntries(JsonObject metadata, JsonArray? entries)
    {
        if (entries is { Count: > 0 })
        {
            metadata["managedFields"] = entries;
        }
        else
        {
            metadata.Remove("managedFields");
        }
    }

    /// <summary>The manager of a write without <c>fieldManager</c>: the User-Agent up to its first <c>/</c>, printable characters only, at most 128 bytes (upstream's <c>prefixFromUserAgent</c>).</summary>
    public static string ManagerFromUserAgent(string? userAgent)
    {
        var prefix = (userAgent ?? string.Empty).Split('/')[0];
        var builder = new StringBuilder();
        var bytes = 0;
        foreach (var rune in prefix.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || rune.Utf16SequenceLength == 0)
            {
                continue;
            }

            if (bytes + rune.Utf8SequenceLength > 128)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    private static string Text(JsonObject obj, string key) =>
        obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty;
}
