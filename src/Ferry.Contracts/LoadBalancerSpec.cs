using System.Net;

namespace Ferry.Contracts;

/// <summary>
/// The desired state of one load balancer: immutable, with value equality, free of Kubernetes types.
/// </summary>
/// <remarks>
/// The controller builds it from a Service (or the standalone balancer from its YAML file); the data
/// plane applies it idempotently, touching only what changed.
/// </remarks>
public sealed record LoadBalancerSpec
{
    public required LoadBalancerKey Key { get; init; }

    /// <summary>The external (virtual) IPs this load balancer listens on.</summary>
    public EquatableArray<IPAddress> Addresses { get; init; } = [];

    public EquatableArray<ListenerSpec> Listeners { get; init; } = [];

    /// <summary>Balancing, source ranges, PROXY protocol and timeouts, shared by every listener.</summary>
    public LoadBalancerSettings Settings { get; init; } = new();
}
