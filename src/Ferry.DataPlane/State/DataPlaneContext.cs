using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Health;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.State;

/// <summary>The services every listener of one <see cref="DataPlaneProvider"/> shares.</summary>
internal sealed class DataPlaneContext
{
    public required ILogger Logger { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    public required DataPlaneOptions Options { get; init; }

    public required ILoadBalancingPolicyFactory Policies { get; init; }

    public required IHealthMonitorFactory HealthMonitors { get; init; }

    /// <summary>Cancelled when the provider is disposed.</summary>
    public required CancellationToken ShutdownToken { get; init; }
}
