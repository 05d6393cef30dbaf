using Ferry.Contracts;
using Ferry.DataPlane.State;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Health;

/// <summary>Creates monitors that probe backends over the network (TCP connect or HTTP GET).</summary>
public sealed class ActiveHealthMonitorFactory : IHealthMonitorFactory
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;

    public ActiveHealthMonitorFactory(ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
    }

    public IHealthMonitor Create(HealthCheckSpec check, string listenerName)
    {
        _ = (_loggerFactory, _timeProvider); // placeholder until active probing lands
        return new PlaceholderMonitor();
    }

    private sealed class PlaceholderMonitor : IHealthMonitor
    {
        public void SetBackends(IReadOnlyList<BackendState> backends)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
