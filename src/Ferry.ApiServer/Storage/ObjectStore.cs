using System.Globalization;

namespace Ferry.ApiServer.Storage;

/// <summary>
/// The current objects in memory (for fast get/list), backed by SQLite, with one global resourceVersion
/// counter, a bounded history of recent events for watch resumption and fan-out to watchers.
/// </summary>
/// <remarks>
/// Writers run their read-check-write logic one at a time under one lock, which fixes the resourceVersion order.
/// Their writes then wait in a pending batch that a committer thread makes durable in one SQLite transaction
/// (group commit: one fsync for every write that arrived meanwhile). Only then are they applied to the cache,
/// published to watchers and acknowledged, so readers and watchers never see a write that could be lost.
/// Writers see pending writes (for existence and conflict checks) through <see cref="StoreTransaction"/>.
/// </remarks>
internal sealed class ObjectStore : IDisposable
{
    private readonly object _gate = new();
    private readonly SqliteObjectStorage _storage;
    private readonly Dictionary<string, SortedDictionary<string, SortedDictionary<string, StoredObject>>> _objects = [];
    private readonly Dictionary<(string Key, string Namespace, string Name), PendingWrite> _pending = [];
    private readonly Queue<WatchEvent> _history = new();
    private readonly Dictionary<string, Action<PendingWrite>> _observers = new(StringComparer.Ordinal);
    private readonly List<StoreWatcher> _watchers = [];
    private readonly int _historyCapacity;
    private readonly int _watcherCapacity;
    private readonly Thread _committer;
    private List<PendingWrite> _batch = [];
    private readonly List<(long Target, TaskCompletionSource Waiter)> _durableWaiters = [];
    private long _resourceVersion;
    private long _nextVersion;
    private long _historyStart;
    private bool _stopping;
    private Exception? _failure;

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
        _nextVersion = rv;
        _historyStart = rv;
        _committer = new Thread(CommitLoop) { IsBackground = true, Name = "Ferry.ApiServer committer" };
        _committer.Start();
    }

    /// <summary>The resourceVersion of the last durable (committed and published) write.</summary>
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
    /// Runs <paramref name="work"/> under the store lock, then waits, without holding a thread, until its
    /// writes are durable, cached and published. If <paramref name="work"/> throws, nothing is written.
    /// </summary>
    /// <remarks>
    /// Request threads must not block on the commit: under load a blocked thread pool grows by about one
    /// thread per second, and everything else on it (timers, watch streams) starves meanwhile.
    /// </remarks>
    public async Task<T> WriteAsync<T>(Func<StoreTransaction, T> work)
    {
        TaskCompletionSource durable;
        T result;
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw Failed(_failure);
            }

            if (_stopping)
            {
                throw new StorageException(StorageFailure.ShuttingDown, "the server is shutting down");
            }

            var tx = new StoreTransaction(this, _nextVersion);
            result = work(tx);
            if (tx.Writes.Count == 0)
            {
                return result;
            }

            foreach (var w in tx.Writes)
            {
                _batch.Add(w);
                _pending[(w.Key, w.Namespace, w.Name)] = w;
                if (_observers.TryGetValue(w.Key, out var observer))
                {
                    observer(w);
                }
            }

            _nextVersion += tx.Writes.Count;
            durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _durableWaiters.Add((_nextVersion, durable));
            Monitor.PulseAll(_gate);
        }

        await durable.Task;
        return result;
    }

    /// <summary>
    /// Calls <paramref name="observer"/> with every write to <paramref name="key"/>, under the store lock, as the
    /// write is accepted (visible to readers; durable before its writer hears back). For what must change in
    /// step with the stored objects (the served custom resources follow their definitions); it must be quick
    /// and must not call back into the store.
    /// </summary>
    public void Observe(string key, Action<PendingWrite> observer)
    {
        lock (_gate)
        {
            _observers[key] = observer;
        }
    }

    /// <summary>
    /// Registers a watcher. With <paramref name="fromVersion"/> null, the current objects are returned
    /// for synthetic ADDED events; otherwise the retained events after it are queued first, or
    /// <see cref="StorageException"/> (<see cref="StorageFailure.Expired"/>) is thrown when they are no longer retained.
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
                    throw new StorageException(StorageFailure.Expired, "too old resource version: " + from.ToString(CultureInfo.InvariantCulture)
                        + " (" + _historyStart.ToString(CultureInfo.InvariantCulture) + ")");
                }

                foreach (var e in _history)
                {
                    if (e.ResourceVersion > from && Matches(watcher, e))
                    {
                        watcher.Offer(e);
                    }
                }

                watcher.MinimumVersion = from;
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
            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        _committer.Join();
        _storage.Dispose();
    }

    /// <summary>The latest pending (not yet durable) write to an object, if any; for writers only.</summary>
    internal PendingWrite? GetPending(string key, string ns, string name) => _pending.GetValueOrDefault((key, ns, name));

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

    private static StorageException Failed(Exception failure) =>
        new(StorageFailure.Failed, "storage failed: " + failure.Message, failure);

    private static bool Matches(StoreWatcher w, WatchEvent e) =>
        w.Key == e.Key && (w.Namespace is null || w.Namespace == e.Namespace);

    private void CommitLoop()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_gate)
            {
                while (_batch.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_batch.Count == 0)
                {
                    return;
                }

                batch = _batch;
                _batch = [];
            }

            Exception? failure = null;
            try
            {
                _storage.Commit(batch, batch[^1].ResourceVersion);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
            {
                failure = ex;
            }

            lock (_gate)
            {
                if (failure is not null)
                {
                    // The cache and the disk may now disagree: refuse all further writes rather than guess.
                    _failure = failure;
                }
                else
                {
                    foreach (var w in batch)
                    {
                        Apply(w);
                        if (_pending.TryGetValue((w.Key, w.Namespace, w.Name), out var latest) && ReferenceEquals(latest, w))
                        {
                            _pending.Remove((w.Key, w.Namespace, w.Name));
                        }
                    }

                    _resourceVersion = batch[^1].ResourceVersion;
                }

                CompleteDurableWaiters();
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Under the lock: releases the writers whose versions are now durable, or all of them on failure.</summary>
    private void CompleteDurableWaiters()
    {
        for (var i = _durableWaiters.Count - 1; i >= 0; i--)
        {
            var (target, waiter) = _durableWaiters[i];
            if (_failure is not null)
            {
                waiter.TrySetException(Failed(_failure));
            }
            else if (target <= _resourceVersion)
            {
                waiter.TrySetResult();
            }
            else
            {
                continue;
            }

            _durableWaiters.RemoveAt(i);
        }
    }

    private void Apply(PendingWrite w)
    {
        var previous = GetCommitted(w.Key, w.Namespace, w.Name);
        var utf8 = System.Text.Encoding.UTF8.GetBytes(w.Json);
        JsonMaterializer.Materialize(w.Object);
        WatchEvent e;
        if (w.Kind == WriteKind.Put)
        {
            Index(new StoredObject(w.Key, w.Namespace, w.Name, w.ResourceVersion, w.Object, utf8));
            e = new WatchEvent(previous is null ? WatchEventType.Added : WatchEventType.Modified, w.Key, w.Namespace, w.ResourceVersion, w.Object, previous?.Object, utf8);
        }
        else
        {
            Unindex(w.Key, w.Namespace, w.Name);
            e = new WatchEvent(WatchEventType.Deleted, w.Key, w.Namespace, w.ResourceVersion, w.Object, previous?.Object, utf8);
        }

        _history.Enqueue(e);
        while (_history.Count > _historyCapacity)
        {
            _historyStart = _history.Dequeue().ResourceVersion;
        }

        foreach (var watcher in _watchers)
        {
            if (Matches(watcher, e))
            {
                watcher.Offer(e);
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
