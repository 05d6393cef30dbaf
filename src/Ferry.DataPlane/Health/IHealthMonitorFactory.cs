using Ferry.Contracts;

namespace Ferry.DataPlane.Health;

/// <summary>Creates the health monitor of one listener.</summary>
public interface IHealthMonitorFactory
{
    /// <param name="check">The active check to run.</param>
    /// <param name="listenerName">For logs, e.g. <c>default/web 8080/TCP</c>.</param>
    IHealthMonitor Create(HealthCheckSpec check, string listenerName);
}
