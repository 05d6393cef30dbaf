using System.Threading.Channels;

namespace Ferry.ApiServer.Storage;

/// <summary>
/// One registered watch: the store writes matching events into a bounded channel in commit order.
/// A watcher that falls too far behind is closed rather than letting memory grow without bound.
/// </summary>
internal sealed class StoreWatcher : IDisposable
{
    private readonly Channel<WatchEvent> _channel;
    private readonly Action<StoreWatcher> _unregister;

    public StoreWatcher(string key, string? ns, int capacity, Action<StoreWatcher> unregister)
    {
        Key = key;
        Namespace = ns;
        _unregister = unregister;
        _channel = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false });
    }

    /// <summary>The storage key watched.</summary>
    public string Key { get; }

    /// <summary>The namespace watched, or null for all.</summary>
    public string? Namespace { get; }

    /// <summary>Events in commit order.</summary>
    public ChannelReader<WatchEvent> Events => _channel.Reader;

    /// <summary>Events at or below this version are already known to the client (it resumed after it).</summary>
    internal long MinimumVersion { get; set; } = -1;

    /// <summary>Offers an event; a full channel closes the watcher (the client will re-watch).</summary>
    internal void Offer(WatchEvent e)
    {
        if (e.Type != WatchEventType.Bookmark && e.ResourceVersion <= MinimumVersion)
        {
            return;
        }

        if (!_channel.Writer.TryWrite(e))
        {
            _channel.Writer.TryComplete();
        }
    }

    internal void Complete() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _unregister(this);
    }
}
