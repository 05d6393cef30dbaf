using System.Threading.Channels;

namespace Ferry.Controller.Queue;

/// <summary>
/// A work queue with client-go's guarantees: a key waiting in the queue is there once however often
/// it is added; a key being processed is never handed to a second worker, and if it is added
/// meanwhile it is processed again after <see cref="Done"/>. Failed keys come back with per-key
/// exponential backoff.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "client-go's name for this structure; it is a queue.")]
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly RequeueBackoff _backoff;
    private readonly Channel<TKey> _ready = Channel.CreateUnbounded<TKey>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly Dictionary<TKey, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private bool _isShuttingDown;

    public WorkQueue(TimeProvider timeProvider, RequeueBackoff backoff)
    {
        _timeProvider = timeProvider;
        _backoff = backoff;
    }

    /// <summary>Keys waiting to be processed (not counting delayed ones).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _dirty.Count - _dirty.Count(_processing.Contains);
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _isShuttingDown;
            }
        }
    }

    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_isShuttingDown || !_dirty.Add(key))
            {
                return;
            }

            if (!_processing.Contains(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }

    /// <summary>Adds the key after a delay; an earlier pending delay for the same key wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_lock)
        {
            if (_isShuttingDown)
            {
                return;
            }

            var due = _timeProvider.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due)
                {
                    return;
                }

                pending.Timer.Dispose();
            }

            var timer = _timeProvider.CreateTimer(OnDelayElapsed, key, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    /// <summary>Adds the key after its backoff delay and counts the failure.</summary>
    public TimeSpan AddRateLimited(TKey key)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(key) + 1;
            _failures[key] = failures;
            delay = _backoff.DelayFor(failures);
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Clears the key's failure count (after a successful sync).</summary>
    public void Forget(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    public int Failures(TKey key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>Waits for the next key; it is then being processed until <see cref="Done"/>.</summary>
    /// <exception cref="OperationCanceledException">Cancelled, or the queue shut down.</exception>
    public async ValueTask<TKey> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TKey key;
            try
            {
                key = await _ready.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                throw new OperationCanceledException("the work queue is shutting down");
            }

            lock (_lock)
            {
                // A key written while it was processing is skipped here and re-queued by Done.
                if (!_dirty.Contains(key) || _processing.Contains(key))
                {
                    continue;
                }

                _dirty.Remove(key);
                _processing.Add(key);
                return key;
            }
        }
    }

    /// <summary>Marks the key processed; if it was added meanwhile it is queued again.</summary>
    public void Done(TKey key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_isShuttingDown)
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }

    /// <summary>Stops handing out keys; waiting <see cref="TakeAsync"/> calls end.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            _isShuttingDown = true;
            foreach (var (_, timer) in _delayed.Values)
            {
                timer.Dispose();
            }

            _delayed.Clear();
            _ready.Writer.TryComplete();
        }
    }

    public void Dispose() => ShutDown();

    private void OnDelayElapsed(object? state)
    {
        var key = (TKey)state!;
        lock (_lock)
        {
            if (_delayed.Remove(key, out var pending))
            {
                pending.Timer.Dispose();
            }
        }

        Add(key);
    }
}
