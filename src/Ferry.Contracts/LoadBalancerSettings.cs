using System.Net;

namespace Ferry.Contracts;

/// <summary>
/// The load-balancer-wide settings of a <see cref="LoadBalancerSpec"/>: everything but its identity,
/// addresses and listeners. One record, so "did the settings change" is one <c>==</c> and a new field
/// is compared (and re-applied) without anyone having to remember it.
/// </summary>
public sealed record LoadBalancerSettings
{
    /// <summary>Default TCP idle timeout, as AWS NLB's (350 s).</summary>
    public static readonly TimeSpan DefaultTcpIdleTimeout = TimeSpan.FromSeconds(350);

    /// <summary>Default UDP flow idle timeout, as AWS NLB's (120 s).</summary>
    public static readonly TimeSpan DefaultUdpIdleTimeout = TimeSpan.FromSeconds(120);

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
