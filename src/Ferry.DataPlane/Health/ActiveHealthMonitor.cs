using Ferry.Contracts;
using Ferry.DataPlane.State;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Health;

/// <summary>
/// Probes every backend of one listener each <see cref="HealthCheckSpec.Interval"/>, all at once, each
/// within <see cref="HealthCheckSpec.Timeout"/>, and reports the results into the backends' <see cref="BackendHealth"/>.
/// </summary>
/// <remarks>
/// <para>
/// Time comes from the injected <see cref="TimeProvider"/> (a <see cref="PeriodicTimer"/> for the rounds, a
/// timed <see cref="CancellationTokenSource"/> per probe), so tests drive it with a fake clock. The first
/// round runs one interval after start: backends start healthy, as with cloud load balancers. Rounds are
/// fixed-rate; a round slower than the interval delays the next one instead of overlapping it. A backend
/// that stops answering is therefore marked down within Interval × UnhealthyThreshold (plus at most one
/// Timeout for the last probe).
/// </para>
/// <para>
/// The monitor also logs every health transition of its backends, including those caused by failed
/// connects of real traffic (passive checking), with the listener's name.
/// </para>
/// </remarks>
public sealed class ActiveHealthMonitor : IHealthMonitor
{
    private readonly Lock _lock = new();
    private readonly HealthCheckSpec _check;
    private readonly string _listenerName;
    private readonly IHealthProbe _probe;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HealthMetrics? _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;
    private Dictionary<BackendState, Watched> _watched = [];
    private bool _disposed;

    public ActiveHealthMonitor(
        HealthCheckSpec check,
        string listenerName,
        IHealthProbe probe,
        TimeProvider timeProvider,
        ILogger logger,
        HealthMetrics? metrics = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(check.Interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(check.Timeout, TimeSpan.Zero);
        _check = check;
        _listenerName = listenerName;
        _probe = probe;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _timer = new PeriodicTimer(check.Interval, timeProvider);
        _loop = RunAsync(_stopping.Token);
    }

    /// <summary>Raised after each round of probes has reported (for tests and diagnostics).</summary>
    internal event Action? RoundCompleted;

    public void SetBackends(IReadOnlyList<BackendState> backends)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var next = new Dictionary<BackendState, Watched>(backends.Count);
            foreach (var backend in backends)
            {
                if (next.ContainsKey(backend))
                {
                    continue;
                }

                next[backend] = _watched.TryGetValue(backend, out var kept) ? kept : new Watched(this, backend);
            }

            foreach (var (backend, watched) in _watched)
            {
                if (!next.ContainsKey(backend))
                {
                    watched.Unsubscribe();
                }
            }

            Volatile.Write(ref _watched, next);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var watched in _watched.Values)
            {
                watched.Unsubscribe();
            }

            Volatile.Write(ref _watched, []);
        }

        await _stopping.CancelAsync();
        _timer.Dispose();
#pragma warning disable VSTHRD003 // _loop was started by this instance's constructor; it never throws.
        await _loop;
#pragma warning restore VSTHRD003
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stopping))
            {
                var round = Volatile.Read(ref _watched).Values.ToArray();
                var probes = new Task[round.Length];
                for (var i = 0; i < round.Length; i++)
                {
                    probes[i] = ProbeAsync(round[i], stopping);
                }

                await Task.WhenAll(probes);
                RoundCompleted?.Invoke();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task ProbeAsync(Watched watched, CancellationToken stopping)
    {
        HealthProbeResult result;
        using (var timeout = new CancellationTokenSource(_check.Timeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token))
        {
            try
            {
                result = await _probe.ProbeAsync(watched.Backend, linked.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                result = HealthProbeResult.Unhealthy($"no answer within {_check.Timeout.TotalSeconds:0.###} s");
            }
#pragma warning disable CA1031 // A probe bug must count as a failure, never stop the monitor.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                HealthLog.ProbeError(_logger, _listenerName, watched.Name, ex);
                result = HealthProbeResult.Unhealthy(ex.GetType().Name);
            }
        }

        if (stopping.IsCancellationRequested || !watched.IsSubscribed)
        {
            return; // stopped, or the backend was removed while being probed
        }

        _metrics?.ProbeCompleted(_listenerName, result.IsHealthy);
        if (result.IsHealthy)
        {
            watched.Backend.Health.ReportSuccess();
        }
        else
        {
            HealthLog.ProbeFailed(_logger, _listenerName, watched.Name, result.Detail ?? "unknown");
            watched.LastFailure = result.Detail;
            watched.Backend.Health.ReportFailure();
        }
    }

    /// <summary>A probed backend and its subscription to health changes, for logging transitions.</summary>
    private sealed class Watched
    {
        private readonly ActiveHealthMonitor _owner;
        private volatile bool _isSubscribed = true;

        public Watched(ActiveHealthMonitor owner, BackendState backend)
        {
            _owner = owner;
            Backend = backend;
            Name = backend.Spec.Name is { } name ? $"{backend} ({name})" : backend.ToString();
            backend.Health.Changed += OnChanged;
        }

        public BackendState Backend { get; }

        public string Name { get; }

        public bool IsSubscribed => _isSubscribed;

        /// <summary>Why the last failed probe failed, for the "down" log.</summary>
        public string? LastFailure { get; set; }

        public void Unsubscribe()
        {
            _isSubscribed = false;
            Backend.Health.Changed -= OnChanged;
        }

        private void OnChanged(BackendHealth health, bool isHealthy)
        {
            _owner._metrics?.BackendChanged(_owner._listenerName, Name, isHealthy);
            if (isHealthy)
            {
                HealthLog.BackendUp(_owner._logger, _owner._listenerName, Name);
            }
            else
            {
                HealthLog.BackendDown(_owner._logger, _owner._listenerName, Name, LastFailure ?? "failed connects");
            }
        }
    }
}
