using System.Net;
using Ferry.Contracts;
using Ferry.Controller.Serving;
using Ferry.Controller.Translation;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Health;

namespace Ferry.Hosting.Serving;

/// <summary>
/// This node's <c>healthCheckNodePort</c> checks, one HTTP <c>GET /healthz</c> monitor per Service, with the
/// data plane's probes, intervals and thresholds (<see cref="TranslationOptions"/>): a Service passes once a
/// probe got 200 and fails after <see cref="TranslationOptions.UnhealthyThreshold"/> failures in a row.
/// </summary>
public sealed class NodeLocalChecks : INodeLocalChecks, IAsyncDisposable
{
    private readonly IHealthMonitorFactory _monitors;
    private readonly TranslationOptions _translation;
    private readonly Lock _lock = new();
    private readonly Dictionary<ServiceKey, Check> _checks = [];
    private readonly List<Task> _stopping = [];
    private bool _disposed;

    /// <param name="monitors">Runs the probes (the data plane's HTTP checks).</param>
    /// <param name="translation">The health check interval, timeout and thresholds.</param>
    public NodeLocalChecks(IHealthMonitorFactory monitors, TranslationOptions translation)
    {
        _monitors = monitors;
        _translation = translation;
    }

    /// <inheritdoc/>
    public event Action? Changed;

    /// <inheritdoc/>
    public void SetTargets(IReadOnlyDictionary<ServiceKey, IPEndPoint> targets)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var (key, check) in _checks.Where(c => !targets.TryGetValue(c.Key, out var target) || !target.Equals(c.Value.Target)).ToList())
            {
                _checks.Remove(key);
                _stopping.Add(check.StopAsync(OnChanged));
            }

            foreach (var (key, target) in targets)
            {
                if (!_checks.ContainsKey(key))
                {
                    _checks[key] = Start(key, target);
                }
            }
        }
    }

    /// <inheritdoc/>
    public bool Passes(ServiceKey key)
    {
        lock (_lock)
        {
            return _checks.TryGetValue(key, out var check) && check.Backend.IsHealthy;
        }
    }

    /// <summary>Stops every check.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Task> stopping;
        lock (_lock)
        {
            _disposed = true;
            stopping = [.. _stopping, .. _checks.Values.Select(c => c.StopAsync(OnChanged))];
            _checks.Clear();
        }

        await Task.WhenAll(stopping);
    }

    private Check Start(ServiceKey key, IPEndPoint target)
    {
        // The port is the target's: the check's own port stays unset.
        var spec = ServiceTranslator.Check(_translation, HealthCheckType.Http, port: null);

        // Not passing until a probe says so: the node is no candidate on the EndpointSlices' word alone.
        var backend = new BackendState(new BackendSpec(target.Address, target.Port, 1, "this node"), BackendHealth.Unchecked(spec));
        backend.Health.Changed += OnChanged;
        var monitor = _monitors.Create(spec, $"{key} healthCheckNodePort {target.Port} on this node");
        monitor.SetBackends([backend]);
        return new Check(target, backend, monitor);
    }

    private void OnChanged(BackendHealth health, bool healthy) => Changed?.Invoke();

    private sealed record Check(IPEndPoint Target, BackendState Backend, IHealthMonitor Monitor)
    {
        public async Task StopAsync(Action<BackendHealth, bool> handler)
        {
            Backend.Health.Changed -= handler;
            await Monitor.DisposeAsync();
        }
    }
}
