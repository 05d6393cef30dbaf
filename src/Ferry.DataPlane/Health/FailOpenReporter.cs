using Ferry.DataPlane.State;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Health;

/// <summary>
/// Logs and counts a listener's fail-open state: when no backend is healthy, <see cref="BackendPool"/> spreads
/// traffic across all of them (as cloud load balancers do) and this says so, once per change.
/// </summary>
/// <remarks>Create one per listener right after its pool; dispose it with the listener.</remarks>
public sealed class FailOpenReporter : IDisposable
{
    private readonly Lock _lock = new();
    private readonly BackendPool _pool;
    private readonly string _listenerName;
    private readonly ILogger _logger;
    private readonly HealthMetrics? _metrics;
    private bool _isFailOpen;
    private bool _disposed;

    public FailOpenReporter(BackendPool pool, string listenerName, ILogger logger, HealthMetrics? metrics = null)
    {
        _pool = pool;
        _listenerName = listenerName;
        _logger = logger;
        _metrics = metrics;
        pool.FailOpenChanged += OnFailOpenChanged;
        Update(); // the pool may already be failing open
    }

    /// <summary>Whether the listener was failing open at the last change this reporter saw.</summary>
    public bool IsFailOpen
    {
        get
        {
            lock (_lock)
            {
                return _isFailOpen;
            }
        }
    }

    public void Dispose()
    {
        _pool.FailOpenChanged -= OnFailOpenChanged;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_isFailOpen)
            {
                _isFailOpen = false;
                _metrics?.FailOpenChanged(_listenerName, false); // the listener is gone, so is its fail-open
            }
        }
    }

    private void OnFailOpenChanged(BackendPool pool, bool isFailOpen) => Update();

    // Reads the pool's current snapshot rather than trusting the event argument, so events delivered out of
    // order by concurrent rebuilds still end in the right state.
    private void Update()
    {
        lock (_lock)
        {
            var snapshot = _pool.Snapshot;
            if (_disposed || snapshot.IsFailOpen == _isFailOpen)
            {
                return;
            }

            _isFailOpen = snapshot.IsFailOpen;
            _metrics?.FailOpenChanged(_listenerName, _isFailOpen);
            if (_isFailOpen)
            {
                HealthLog.FailOpenStarted(_logger, _listenerName, snapshot.Available.Count);
            }
            else
            {
                HealthLog.FailOpenEnded(_logger, _listenerName);
            }
        }
    }
}
