using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// The load-balancer-wide settings a listener reads for each new connection or flow. Replaced as a
/// whole (one reference write) when the spec changes, so running connections are not disturbed.
/// </summary>
/// <param name="IdleTimeout">The TCP or UDP idle timeout, whichever the listener's protocol is.</param>
internal sealed record ListenerSettings(
    ILoadBalancingPolicy Policy,
    EquatableArray<IPNetwork> SourceRanges,
    ProxyProtocolVersion ProxyProtocol,
    TimeSpan IdleTimeout,
    TimeSpan DrainTimeout,
    int MaxUdpFlows)
{
    /// <summary>The settings of a <paramref name="protocol"/> listener of a load balancer with <paramref name="settings"/>.</summary>
    public static ListenerSettings For(LoadBalancerSettings settings, TransportProtocol protocol, ILoadBalancingPolicy policy) => new(
        policy,
        settings.SourceRanges,
        settings.ProxyProtocol,
        protocol == TransportProtocol.Tcp ? settings.TcpIdleTimeout : settings.UdpIdleTimeout,
        settings.DrainTimeout,
        settings.MaxUdpFlows);

    /// <summary>True when <paramref name="client"/> may connect (<c>loadBalancerSourceRanges</c>; empty allows all).</summary>
    public bool IsAllowed(IPAddress client)
    {
        var ranges = SourceRanges.AsSpan();
        if (ranges.IsEmpty)
        {
            return true;
        }

        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        foreach (var range in ranges)
        {
            if (range.Contains(client))
            {
                return true;
            }
        }

        return false;
    }
}
