using System.Threading.Channels;
using Ferry.ApiServer.Storage;

namespace Ferry.ApiServer.Registry;

/// <summary>
/// A registered watch, as the registry hands it to the watch endpoint: the objects to announce first, then
/// the events in commit order. Disposing it unregisters the watch.
/// </summary>
internal sealed class WatchRegistration : IDisposable
{
    private readonly ObjectStore _store;
    private readonly StoreWatcher _watcher;

    public WatchRegistration(ObjectStore store, IReadOnlyList<StoredObject> initial, StoreWatcher watcher)
    {
        _store = store;
        Initial = initial;
        _watcher = watcher;
    }

    /// <summary>The current objects for synthetic ADDED events (empty when resuming from a version).</summary>
    public IReadOnlyList<StoredObject> Initial { get; }

    /// <summary>Events in commit order; completes when the watch is closed (shutdown or a slow reader).</summary>
    public ChannelReader<WatchEvent> Events => _watcher.Events;

    /// <summary>The resourceVersion of the last durable write.</summary>
    public long CurrentResourceVersion => _store.CurrentResourceVersion;

    /// <summary>Queues a bookmark carrying the current resourceVersion, after every event already queued.</summary>
    public void RequestBookmark() => _store.Bookmark(_watcher);

    public void Dispose() => _watcher.Dispose();
}
