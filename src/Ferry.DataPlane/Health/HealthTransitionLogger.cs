using Ferry.DataPlane.Backends;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Health;

/// <summary>
/// Logs (and counts) every health transition of one listener's backends, whatever caused it: active probes
/// or failed connects of real traffic (passive checking).
/// </summary>
/// <remarks>
/// <see cref="ActiveHealthMonitor"/> keeps one for its backends. A listener without an active check (passive
/// checking only) has no monitor, so it creates one of these itself and calls <see cref="SetBackends"/>
/// whenever its backend list changes.
/// </remarks>
public sealed class HealthTransitionLogger : IDisposable
{
    private readonly Lock _lock = new();
    private readonly string _listenerName;
    private readonly ILogger _logger;
    private readonly HealthMetrics? _metrics;
    private Dictionary<BackendState, Subscription> _subscriptions = [];
    private bool _disposed;

    public HealthTransitionLogger(string listenerName, ILogger logger, HealthMetrics? metrics = null)
    {
        _listenerName = listenerName;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Follows exactly <paramref name="backends"/> from now on.</summary>
    public void SetBackends(IReadOnlyList<BackendState> backends)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var next = new Dictionary<BackendState, Subscription>(backends.Count);
            foreach (var backend in backends)
            {
                if (!next.ContainsKey(backend))
                {
                    next[backend] = _subscriptions.TryGetValue(backend, out var kept) ? kept : new Subscription(this, backend);
                }
            }

            foreach (var (backend, subscription) in _subscriptions)
            {
                if (!next.ContainsKey(backend))
                {
                    subscription.Dispose();
                }
            }

            Volatile.Write(ref _subscriptions, next);
        }
    }

    /// <summary>Remembers why <paramref name="backend"/>'s last probe failed, for the "unhealthy" log line.</summary>
    public void RecordFailure(BackendState backend, string reason)
    {
        if (Volatile.Read(ref _subscriptions).TryGetValue(backend, out var subscription))
        {
            subscription.LastFailure = reason;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var subscription in _subscriptions.Values)
            {
                subscription.Dispose();
            }

            Volatile.Write(ref _subscriptions, []);
        }
    }

    /// <summary>The display name of a backend in logs: <c>address:port</c>, plus its node or pod name.</summary>
    public static string NameOf(BackendState backend) =>
        backend.Spec.Name is { } name ? $"{backend} ({name})" : backend.ToString();

    private sealed class Subscription : IDisposable
    {
        private readonly HealthTransitionLogger _owner;
        private readonly BackendState _backend;
        private readonly string _name;
        private volatile string? _lastFailure;

        public Subscription(HealthTransitionLogger owner, BackendState backend)
        {
            _owner = owner;
            _backend = backend;
            _name = NameOf(backend);
            backend.Health.Changed += OnChanged;
        }

        public string? LastFailure
        {
            get => _lastFailure;
            set => _lastFailure = value;
        }

        public void Dispose() => _backend.Health.Changed -= OnChanged;

        private void OnChanged(BackendHealth health, bool isHealthy)
        {
            _owner._metrics?.BackendChanged(_owner._listenerName, _name, isHealthy);
            if (isHealthy)
            {
                HealthLog.BackendUp(_owner._logger, _owner._listenerName, _name);
            }
            else
            {
                // Without a probe failure on record, only failed connects of real traffic can have done it.
                HealthLog.BackendDown(_owner._logger, _owner._listenerName, _name, _lastFailure ?? "failed connects");
            }

            _lastFailure = null;
        }
    }
}
