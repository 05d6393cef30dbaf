using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Forwarding;
using Ferry.DataPlane.Health;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.State;

/// <summary>The services and knobs every listener of one <see cref="DataPlaneProvider"/> shares.</summary>
internal sealed class DataPlaneContext
{
    /// <summary>What sockets and connections share: logger, clock, shutdown, connect and copy limits.</summary>
    public required ForwardingContext Forwarding { get; init; }

    public required ILoadBalancingPolicyFactory Policies { get; init; }

    public required IHealthMonitorFactory HealthMonitors { get; init; }

    /// <summary>Without an active check, a backend that failed connects gets traffic again after this long.</summary>
    public required TimeSpan PassiveReactivationPeriod { get; init; }

    /// <summary>Listen backlog of TCP listeners.</summary>
    public required int ListenBacklog { get; init; }

    public ILogger Logger => Forwarding.Logger;

    public TimeProvider TimeProvider => Forwarding.TimeProvider;
}
