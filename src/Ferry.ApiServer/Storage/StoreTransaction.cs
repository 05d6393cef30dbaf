using System.Globalization;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Storage;

/// <summary>
/// Reads and buffered writes made while holding the store lock. Nothing is visible or durable until
/// the store commits, so a validation error thrown midway leaves no trace.
/// </summary>
internal sealed class StoreTransaction(ObjectStore store, long baseVersion)
{
    private readonly ObjectStore _store = store;
    private readonly long _baseVersion = baseVersion;
    private readonly List<PendingWrite> _writes = [];

    internal IReadOnlyList<PendingWrite> Writes => _writes;

    /// <summary>The resourceVersion of the last committed write.</summary>
    public long CurrentResourceVersion => _baseVersion + _writes.Count;

    /// <summary>Reads the current object, seeing this transaction's own earlier writes.</summary>
    public StoredObject? Get(string key, string ns, string name)
    {
        for (var i = _writes.Count - 1; i >= 0; i--)
        {
            var w = _writes[i];
            if (w.Key == key && w.Namespace == ns && w.Name == name)
            {
                return w.Kind == WriteKind.Put ? new StoredObject(key, ns, name, w.ResourceVersion, w.Object) : null;
            }
        }

        if (_store.GetPending(key, ns, name) is { } pending)
        {
            return pending.Kind == WriteKind.Put ? new StoredObject(key, ns, name, pending.ResourceVersion, pending.Object) : null;
        }

        return _store.GetCommitted(key, ns, name);
    }

    /// <summary>Lists committed objects (pending writes, this transaction's included, are not merged in).</summary>
    public List<StoredObject> List(string key, string? ns) => _store.ListCommitted(key, ns);

    /// <summary>Stores <paramref name="obj"/> (taking ownership) with the next resourceVersion, written into its metadata.</summary>
    public JsonObject Put(string key, string ns, string name, JsonObject obj, bool created)
    {
        var rv = _baseVersion + _writes.Count + 1;
        var (normalized, json) = Normalize(obj, rv);
        _writes.Add(new PendingWrite(WriteKind.Put, key, ns, name, rv, normalized, json, created));
        return normalized;
    }

    /// <summary>Removes an object; <paramref name="finalObject"/> (owned) is what the DELETED event carries.</summary>
    public JsonObject Delete(string key, string ns, string name, JsonObject finalObject)
    {
        var rv = _baseVersion + _writes.Count + 1;
        var (normalized, json) = Normalize(finalObject, rv);
        _writes.Add(new PendingWrite(WriteKind.Delete, key, ns, name, rv, normalized, json, false));
        return normalized;
    }

    /// <summary>Sets the resourceVersion and re-parses, so stored trees are uniform (parsed values) and detached.</summary>
    private static (JsonObject Object, string Json) Normalize(JsonObject obj, long rv)
    {
        SetResourceVersion(obj, rv);
        var json = obj.ToJsonString();
        return (JsonNode.Parse(json)!.AsObject(), json);
    }

    private static void SetResourceVersion(JsonObject obj, long rv)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = [];
            obj["metadata"] = meta;
        }

        meta["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
    }
}
