using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Health;

namespace Ferry.DataPlane.Tests.TestSupport;

/// <summary>A health monitor factory whose monitors only record what the data plane tells them; tests report health by hand.</summary>
internal sealed class RecordingHealthMonitorFactory : IHealthMonitorFactory
{
    private readonly Lock _lock = new();
    private readonly List<Monitor> _monitors = [];

    public IReadOnlyList<Monitor> Monitors
    {
        get
        {
            lock (_lock)
            {
                return [.. _monitors];
            }
        }
    }

    public IHealthMonitor Create(HealthCheckSpec check, string listenerName)
    {
        var monitor = new Monitor(check, listenerName);
        lock (_lock)
        {
            _monitors.Add(monitor);
        }

        return monitor;
    }

    internal sealed class Monitor(HealthCheckSpec check, string listenerName) : IHealthMonitor
    {
        public HealthCheckSpec Check { get; } = check;

        public string ListenerName { get; } = listenerName;

        public IReadOnlyList<BackendState> Backends { get; private set; } = [];

        public bool IsDisposed { get; private set; }

        public void SetBackends(IReadOnlyList<BackendState> backends) => Backends = backends;

        public ValueTask DisposeAsync()
        {
            IsDisposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
