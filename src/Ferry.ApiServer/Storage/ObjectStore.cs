using System.Globalization;
using Ferry.ApiServer.Errors;

namespace Ferry.ApiServer.Storage;

/// <summary>
/// The current objects in memory (for fast get/list), backed by SQLite, with one global resourceVersion
/// counter, a bounded history of recent events for watch resumption and fan-out to watchers.
/// All writes are serialized by one lock: commit order = resourceVersion order = event order.
/// </summary>
internal sealed class ObjectStore : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SqliteObjectStorage _storage;
    private readonly Dictionary<string, SortedDictionary<string, SortedDictionary<string, StoredObject>>> _objects = [];
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<StoreWatcher> _watchers = [];
    private readonly int _historyCapacity;
    private readonly int _watcherCapacity;
    private long _resourceVersion;
    private long _historyStart;

    public ObjectStore(string databasePath, int historyCapacity, int watcherCapacity = 100_000)
    {
        _historyCapacity = historyCapacity;
        _watcherCapacity = watcherCapacity;
        _storage = new SqliteObjectStorage(databasePath);
        var (rv, objects) = _storage.LoadAll();
        foreach (var o in objects)
        {
            Index(o);
        }

        _resourceVersion = rv;
        _historyStart = rv;
    }

    /// <summary>The resourceVersion of the last committed write.</summary>
    public long CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Gets one committed object.</summary>
    public StoredObject? Get(string key, string ns, string name)
    {
        lock (_gate)
        {
            return GetCommitted(key, ns, name);
        }
    }

    /// <summary>A consistent snapshot of one resource (optionally one namespace) and the list resourceVersion.</summary>
    public (List<StoredObject> Items, long ResourceVersion) List(string key, string? ns)
    {
        lock (_gate)
        {
            return (ListCommitted(key, ns), _resourceVersion);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> under the store lock, then durably commits its writes, updates the
    /// cache and publishes the events. If <paramref name="work"/> throws, nothing is written.
    /// </summary>
    public T Write<T>(Func<StoreTransaction, T> work)
    {
        lock (_gate)
        {
            var tx = new StoreTransaction(this, _resourceVersion);
            var result = work(tx);
            if (tx.Writes.Count == 0)
            {
                return result;
            }

            var newVersion = _resourceVersion + tx.Writes.Count;
            _storage.Commit(tx.Writes, newVersion);
            _resourceVersion = newVersion;
            foreach (var w in tx.Writes)
            {
                var previous = GetCommitted(w.Key, w.Namespace, w.Name);
                WatchEvent e;
                if (w.Kind == WriteKind.Put)
                {
                    Index(new StoredObject(w.Key, w.Namespace, w.Name, w.ResourceVersion, w.Object));
                    e = new WatchEvent(previous is null ? WatchEventType.Added : WatchEventType.Modified, w.Key, w.Namespace, w.ResourceVersion, w.Object, previous?.Object);
                }
                else
                {
                    Unindex(w.Key, w.Namespace, w.Name);
                    e = new WatchEvent(WatchEventType.Deleted, w.Key, w.Namespace, w.ResourceVersion, w.Object, previous?.Object);
                }

                Publish(e);
            }

            return result;
        }
    }

    /// <summary>
    /// Registers a watcher. With <paramref name="fromVersion"/> null, the current objects are returned
    /// for synthetic ADDED events; otherwise the retained events after it are queued first, or
    /// <see cref="ApiException"/> 410 Expired is thrown when they are no longer retained.
    /// </summary>
    public (List<StoredObject> Initial, StoreWatcher Watcher) Watch(string key, string? ns, long? fromVersion)
    {
        lock (_gate)
        {
            List<StoredObject> initial = [];
            var watcher = new StoreWatcher(key, ns, _watcherCapacity, Unregister);
            if (fromVersion is null)
            {
                initial = ListCommitted(key, ns);
            }
            else
            {
                var from = fromVersion.Value;
                if (from < _historyStart)
                {
                    throw ApiErrors.Expired("too old resource version: " + from.ToString(CultureInfo.InvariantCulture)
                        + " (" + _historyStart.ToString(CultureInfo.InvariantCulture) + ")");
                }

                foreach (var e in _history)
                {
                    if (e.ResourceVersion > from && Matches(watcher, e))
                    {
                        watcher.Offer(e);
                    }
                }
            }

            _watchers.Add(watcher);
            return (initial, watcher);
        }
    }

    /// <summary>Queues a bookmark carrying the current resourceVersion, ordered after every event already queued.</summary>
    public void Bookmark(StoreWatcher watcher)
    {
        lock (_gate)
        {
            watcher.Offer(new WatchEvent(WatchEventType.Bookmark, watcher.Key, string.Empty, _resourceVersion, null, null));
        }
    }

    /// <summary>Closes every watch (shutdown).</summary>
    public void CloseWatchers()
    {
        lock (_gate)
        {
            foreach (var w in _watchers)
            {
                w.Complete();
            }
        }
    }

    public void Dispose()
    {
        CloseWatchers();
        lock (_gate)
        {
            _storage.Dispose();
        }
    }

    internal StoredObject? GetCommitted(string key, string ns, string name) =>
        _objects.TryGetValue(key, out var byNs) && byNs.TryGetValue(ns, out var byName) && byName.TryGetValue(name, out var o) ? o : null;

    internal List<StoredObject> ListCommitted(string key, string? ns)
    {
        var result = new List<StoredObject>();
        if (!_objects.TryGetValue(key, out var byNs))
        {
            return result;
        }

        if (ns is not null)
        {
            if (byNs.TryGetValue(ns, out var byName))
            {
                result.AddRange(byName.Values);
            }

            return result;
        }

        foreach (var byName in byNs.Values)
        {
            result.AddRange(byName.Values);
        }

        return result;
    }

    private static bool Matches(StoreWatcher w, WatchEvent e) =>
        w.Key == e.Key && (w.Namespace is null || w.Namespace == e.Namespace);

    private void Publish(WatchEvent e)
    {
        _history.Enqueue(e);
        while (_history.Count > _historyCapacity)
        {
            _historyStart = _history.Dequeue().ResourceVersion;
        }

        foreach (var w in _watchers)
        {
            if (Matches(w, e))
            {
                w.Offer(e);
            }
        }
    }

    private void Unregister(StoreWatcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }
    }

    private void Index(StoredObject o)
    {
        if (!_objects.TryGetValue(o.Key, out var byNs))
        {
            byNs = new SortedDictionary<string, SortedDictionary<string, StoredObject>>(StringComparer.Ordinal);
            _objects[o.Key] = byNs;
        }

        if (!byNs.TryGetValue(o.Namespace, out var byName))
        {
            byName = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            byNs[o.Namespace] = byName;
        }

        byName[o.Name] = o;
    }

    private void Unindex(string key, string ns, string name)
    {
        if (_objects.TryGetValue(key, out var byNs) && byNs.TryGetValue(ns, out var byName))
        {
            byName.Remove(name);
            if (byName.Count == 0)
            {
                byNs.Remove(ns);
            }
        }
    }
}
