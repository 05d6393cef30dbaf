namespace Ferry.Contracts;

/// <summary>One port of a load balancer: a protocol and port on each of its addresses, and its backends.</summary>
public sealed record ListenerSpec
{
    public required TransportProtocol Protocol { get; init; }

    public required int Port { get; init; }

    public EquatableArray<BackendSpec> Backends { get; init; } = [];

    /// <summary>The active health check; null means only passive checking (failed connects).</summary>
    public HealthCheckSpec? HealthCheck { get; init; }

    public override string ToString() => $"{Port}/{Protocol.ToString().ToUpperInvariant()}";
}
