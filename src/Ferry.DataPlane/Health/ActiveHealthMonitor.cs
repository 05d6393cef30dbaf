using Ferry.Contracts;
using Ferry.DataPlane.Backends;
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
/// round runs one interval after start. A backend not checked yet (<see cref="BackendHealth.IsChecked"/>: one just
/// added to the listener) is probed at once when it joins, so it is admitted on its first success instead of
/// an interval later. A backend is never probed twice at the same time. Rounds are
/// fixed-rate; a round slower than the interval delays the next one instead of overlapping it. A backend
/// that stops answering is therefore marked down within Interval × UnhealthyThreshold (plus at most one
/// Timeout for the last probe).
/// </para>
/// <para>
/// The monitor also logs every health transition of its backends (through a <see cref="HealthTransitionLogger"/>),
/// including those caused by failed connects of real traffic, with the listener's name.
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
    private readonly HealthTransitionLogger _transitions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;
    private Dictionary<BackendState, Probed> _backends = [];
    private readonly List<Task> _immediateProbes = [];
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
        _transitions = new HealthTransitionLogger(listenerName, logger, metrics);
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

            var next = new Dictionary<BackendState, Probed>(backends.Count);
            var probeNow = new List<Probed>();
            foreach (var backend in backends)
            {
                if (next.ContainsKey(backend))
                {
                    continue;
                }

                if (_backends.TryGetValue(backend, out var kept))
                {
                    next[backend] = kept;
                }
                else
                {
                    var added = next[backend] = new Probed(backend);
                    if (!backend.Health.IsChecked)
                    {
                        probeNow.Add(added);
                    }
                }
            }

            foreach (var (backend, probed) in _backends)
            {
                if (!next.ContainsKey(backend))
                {
                    probed.IsRemoved = true;
                }
            }

            Volatile.Write(ref _backends, next);
            _transitions.SetBackends(backends);

            // On the thread pool: the caller holds its own lock, and a probe's report rebuilds its pool.
            _immediateProbes.RemoveAll(t => t.IsCompleted);
            var stopping = _stopping.Token;
            _immediateProbes.AddRange(probeNow.Select(p => Task.Run(() => ProbeAsync(p, stopping), CancellationToken.None)));
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
            foreach (var probed in _backends.Values)
            {
                probed.IsRemoved = true;
            }

            Volatile.Write(ref _backends, []);
            _transitions.Dispose();
        }

        await _stopping.CancelAsync();
        _timer.Dispose();
        Task[] immediate;
        lock (_lock)
        {
            immediate = [.. _immediateProbes];
        }

#pragma warning disable VSTHRD003 // _loop and the immediate probes were started by this instance; they never throw.
        await _loop;
        await Task.WhenAll(immediate);
#pragma warning restore VSTHRD003
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stopping))
            {
                var round = Volatile.Read(ref _backends).Values.ToArray();
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

    private async Task ProbeAsync(Probed probed, CancellationToken stopping)
    {
        if (!probed.TryBegin())
        {
            return; // already being probed (an immediate probe still running when a round starts)
        }

        try
        {
            await ProbeOnceAsync(probed, stopping);
        }
        finally
        {
            probed.End();
        }
    }

    private async Task ProbeOnceAsync(Probed probed, CancellationToken stopping)
    {
        var backend = probed.Backend;
        HealthProbeResult result;
        using (var timeout = new CancellationTokenSource(_check.Timeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token))
        {
            try
            {
                result = await _probe.ProbeAsync(backend, linked.Token);
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
                HealthLog.ProbeError(_logger, _listenerName, probed.Name, ex);
                result = HealthProbeResult.Unhealthy(ex.GetType().Name);
            }
        }

        if (stopping.IsCancellationRequested || probed.IsRemoved)
        {
            return; // stopped, or the backend was removed while being probed
        }

        _metrics?.ProbeCompleted(_listenerName, result.IsHealthy);
        if (result.IsHealthy)
        {
            backend.Health.ReportSuccess();
        }
        else
        {
            var reason = result.Detail ?? "probe failed";
            HealthLog.ProbeFailed(_logger, _listenerName, probed.Name, reason);
            _transitions.RecordFailure(backend, reason);
            backend.Health.ReportFailure();
        }
    }

    /// <summary>A backend in the probe set; flagged when removed so an in-flight probe does not report.</summary>
    private sealed class Probed(BackendState backend)
    {
        private volatile bool _isRemoved;
        private int _inFlight;

        public BackendState Backend { get; } = backend;

        public string Name { get; } = HealthTransitionLogger.NameOf(backend);

        public bool IsRemoved
        {
            get => _isRemoved;
            set => _isRemoved = value;
        }

        /// <summary>Claims the backend for one probe; false while another probe of it runs.</summary>
        public bool TryBegin() => Interlocked.Exchange(ref _inFlight, 1) == 0;

        public void End() => Volatile.Write(ref _inFlight, 0);
    }
}
