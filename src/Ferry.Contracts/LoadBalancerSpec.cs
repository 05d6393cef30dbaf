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
    /// <summary>Default TCP idle timeout, as AWS NLB's (350 s).</summary>
    public static readonly TimeSpan DefaultTcpIdleTimeout = TimeSpan.FromSeconds(350);

    /// <summary>Default UDP flow idle timeout, as AWS NLB's (120 s).</summary>
    public static readonly TimeSpan DefaultUdpIdleTimeout = TimeSpan.FromSeconds(120);

    public required LoadBalancerKey Key { get; init; }

    /// <summary>The external (virtual) IPs this load balancer listens on.</summary>
    public EquatableArray<IPAddress> Addresses { get; init; } = [];

    public EquatableArray<ListenerSpec> Listeners { get; init; } = [];

    public BalancingAlgorithm Algorithm { get; init; } = BalancingAlgorithm.RoundRobin;

    /// <summary><c>sessionAffinity: ClientIP</c>; null means none.</summary>
    public SessionAffinitySpec? SessionAffinity { get; init; }

    /// <summary>Clients allowed to connect (<c>loadBalancerSourceRanges</c>); empty means everyone.</summary>
    public EquatableArray<IPNetwork> SourceRanges { get; init; } = [];

    public ProxyProtocolVersion ProxyProtocol { get; init; } = ProxyProtocolVersion.None;

    /// <summary>How long existing connections of a removed backend or listener may go on.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan TcpIdleTimeout { get; init; } = DefaultTcpIdleTimeout;

    public TimeSpan UdpIdleTimeout { get; init; } = DefaultUdpIdleTimeout;

    /// <summary>The most UDP flows one listener tracks at once; new flows beyond it are dropped.</summary>
    public int MaxUdpFlows { get; init; } = 65536;
}
