using System.Collections.Concurrent;
using System.Collections.Immutable;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Informers;

/// <summary>
/// Keeps a local cache of one resource in step with the API server and reports every change:
/// list, then watch from the list's resourceVersion; resume a watch that ended from the last
/// resourceVersion seen; list again on <c>410 Expired</c> or any error; restart a watch that went
/// silent (watchdog).
/// </summary>
/// <remarks>
/// Handlers run on the informer's loop, in order: they should only enqueue work.
/// The algorithm follows client-go's reflector and YARP's Kubernetes ResourceInformer.
/// </remarks>
public sealed partial class ResourceInformer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceSource<T> _source;
    private readonly InformerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IRandomSource _random;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ImmutableList<Action<InformerEvent<T>>> _handlers = [];
    private long _lists;
    private long _watches;

    /// <param name="random">Jitters each watch's timeout (see <see cref="InformerOptions.MinWatchTimeout"/>).</param>
    public ResourceInformer(ResourceSource<T> source, InformerOptions options, TimeProvider timeProvider, IRandomSource random, ILogger logger)
    {
        _source = source;
        _options = options;
        _timeProvider = timeProvider;
        _random = random;
        _logger = logger;
    }

    /// <summary>How many full lists were made (1 + relists).</summary>
    public long ListCount => Interlocked.Read(ref _lists);

    /// <summary>How many watches were started.</summary>
    public long WatchCount => Interlocked.Read(ref _watches);

    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>Adds a handler for the informer's lifetime (before <see cref="RunAsync"/>, or it misses the first list).</summary>
    public void OnChange(Action<InformerEvent<T>> handler) => ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Add(h), handler);

    /// <summary>
    /// Adds a handler until the result is disposed: a consumer that lives shorter than a shared informer (a
    /// leadership term's controller) subscribes and leaves. Safe while the informer runs; the handler sees the
    /// changes after this call, not the cache already filled (read <see cref="List"/> for that).
    /// </summary>
    public IDisposable Subscribe(Action<InformerEvent<T>> handler)
    {
        OnChange(handler);
        return new Subscription(() => ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Remove(h), handler));
    }

    public T? Get(string key) => _cache.GetValueOrDefault(key);

    public IReadOnlyList<T> List() => [.. _cache.Values];

    /// <summary>Completes once the first list is in the cache.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = _options.RetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await _source.ListAsync(cancellationToken);
                Interlocked.Increment(ref _lists);
                Replace(list.Items);
                _synced.TrySetResult();
                delay = _options.RetryDelay;
                await WatchUntilExpiredAsync(list.ResourceVersion, cancellationToken);
                Log.Relisting(_logger, _source.Name);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ListOrWatchFailed(_logger, _source.Name, delay.TotalSeconds, ex);
                try
                {
                    await Task.Delay(delay, _timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Watches from <paramref name="resourceVersion"/>, resuming as long as the server lets it; returns when a relist is needed.</summary>
    private async Task WatchUntilExpiredAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var expired = false;
            Exception? watchError = null;
            var minSeconds = (int)_options.MinWatchTimeout.TotalSeconds;
            var timeoutSeconds = minSeconds + _random.Below(Math.Max(1, minSeconds));
            var watchdogAfter = TimeSpan.FromSeconds(timeoutSeconds) + _options.WatchdogGrace;

            using var watchCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var watchdog = _timeProvider.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), watchCts, watchdogAfter, Timeout.InfiniteTimeSpan);
            Interlocked.Increment(ref _watches);
            try
            {
                var events = _source.Watch(resourceVersion, timeoutSeconds, ex =>
                {
                    if (ex is KubernetesException { Status.Code: 410 })
                    {
                        expired = true;
                    }
                    else
                    {
                        watchError = ex;
                    }
                }, watchCts.Token);

                await foreach (var (type, item) in events.WithCancellation(watchCts.Token))
                {
                    watchdog.Change(watchdogAfter, Timeout.InfiniteTimeSpan);
                    if (item?.Metadata?.ResourceVersion is { Length: > 0 } rv)
                    {
                        resourceVersion = rv;
                    }

                    switch (type)
                    {
                        case WatchEventType.Added:
                        case WatchEventType.Modified:
                            Upsert(item!);
                            break;
                        case WatchEventType.Deleted:
                            Remove(item!);
                            break;
                        default:
                            break; // Bookmark: only the resourceVersion matters.
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Log.WatchdogFired(_logger, _source.Name, watchdogAfter.TotalSeconds);
                continue;
            }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Gone)
            {
                expired = true;
            }

            if (expired)
            {
                Log.WatchExpired(_logger, _source.Name, resourceVersion);
                return;
            }

            if (watchError is not null)
            {
                throw new InvalidOperationException($"watch of {_source.Name} failed: {watchError.Message}", watchError);
            }
        }
    }

    private void Replace(IReadOnlyList<T> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            seen.Add(ObjectKeys.Of(item));
            Upsert(item);
        }

        foreach (var (key, old) in _cache)
        {
            if (!seen.Contains(key) && _cache.TryRemove(key, out _))
            {
                Raise(new InformerEvent<T>(InformerEventType.Deleted, old));
            }
        }
    }

    private void Upsert(T item)
    {
        var key = ObjectKeys.Of(item);
        if (_cache.TryGetValue(key, out var old))
        {
            if (old.Metadata?.ResourceVersion == item.Metadata?.ResourceVersion && old.Metadata?.ResourceVersion is not null)
            {
                return; // A relist or a replayed event: nothing changed.
            }

            _cache[key] = item;
            Raise(new InformerEvent<T>(InformerEventType.Updated, item, old));
        }
        else
        {
            _cache[key] = item;
            Raise(new InformerEvent<T>(InformerEventType.Added, item));
        }
    }

    private void Remove(T item)
    {
        if (_cache.TryRemove(ObjectKeys.Of(item), out var old))
        {
            Raise(new InformerEvent<T>(InformerEventType.Deleted, old));
        }
    }

    private void Raise(InformerEvent<T> change)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(change);
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(_logger, _source.Name, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Information, "Watch of {Resource} expired at resourceVersion {ResourceVersion}; listing again")]
        public static partial void WatchExpired(ILogger logger, string resource, string resourceVersion);

        [LoggerMessage(2102, LogLevel.Debug, "Listing {Resource} again")]
        public static partial void Relisting(ILogger logger, string resource);

        [LoggerMessage(2103, LogLevel.Warning, "List or watch of {Resource} failed; retrying in {DelaySeconds} s")]
        public static partial void ListOrWatchFailed(ILogger logger, string resource, double delaySeconds, Exception exception);

        [LoggerMessage(2104, LogLevel.Warning, "Watch of {Resource} sent nothing for {Seconds} s; restarting it")]
        public static partial void WatchdogFired(ILogger logger, string resource, double seconds);

        [LoggerMessage(2105, LogLevel.Error, "A handler of {Resource} changes failed")]
        public static partial void HandlerFailed(ILogger logger, string resource, Exception exception);
    }

    private sealed class Subscription(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
