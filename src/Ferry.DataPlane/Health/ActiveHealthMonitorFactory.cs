using Ferry.Contracts;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Health;

/// <summary>Creates monitors that probe backends over the network (TCP connect or HTTP GET).</summary>
public sealed class ActiveHealthMonitorFactory : IHealthMonitorFactory
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly HealthMetrics? _metrics;

    /// <param name="metrics">Probe and transition counters; none recorded when null.</param>
    public ActiveHealthMonitorFactory(ILoggerFactory loggerFactory, TimeProvider timeProvider, HealthMetrics? metrics = null)
    {
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
        _metrics = metrics;
    }

    /// <summary>A running monitor; give it backends with <see cref="IHealthMonitor.SetBackends"/> and dispose it with the listener.</summary>
    public IHealthMonitor Create(HealthCheckSpec check, string listenerName)
    {
        IHealthProbe probe = check.Type switch
        {
            HealthCheckType.Tcp => new TcpHealthProbe(check),
            HealthCheckType.Http => new HttpHealthProbe(check),
            _ => throw new ArgumentOutOfRangeException(nameof(check), check.Type, "Unknown health check type."),
        };

        return new ActiveHealthMonitor(check, listenerName, probe, _timeProvider, _loggerFactory.CreateLogger<ActiveHealthMonitor>(), _metrics);
    }
}
