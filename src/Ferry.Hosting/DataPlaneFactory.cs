using System.Diagnostics.Metrics;
using Ferry.DataPlane;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Health;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary>
/// The one place the in-process data plane is built, for the controller (<c>ferry up</c>, <c>ferry run</c>)
/// and the standalone balancer (<c>ferry proxy</c>) alike, so every command and test runs the same wiring.
/// </summary>
public static class DataPlaneFactory
{
    /// <summary>
    /// A data plane with the default policies and active health checks; its meters (and the health
    /// checks') come from <paramref name="meterFactory"/>, and none are recorded when it is null.
    /// </summary>
    public static DataPlaneProvider Create(ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory = null, DataPlaneOptions? options = null) =>
        new(
            loggerFactory,
            timeProvider,
            new LoadBalancingPolicyFactory(timeProvider),
            new ActiveHealthMonitorFactory(loggerFactory, timeProvider, meterFactory is null ? null : new HealthMetrics(meterFactory)),
            meterFactory,
            options ?? new DataPlaneOptions());
}
