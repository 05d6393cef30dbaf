using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.State;

/// <summary>
/// The load-balancer-wide settings a listener reads for each new connection or flow. Replaced as a
/// whole (one reference write) when the spec changes, so running connections are not disturbed.
/// </summary>
internal sealed record ListenerSettings(
    ILoadBalancingPolicy Policy,
    BalancingAlgorithm Algorithm,
    SessionAffinitySpec? SessionAffinity,
    EquatableArray<IPNetwork> SourceRanges,
    ProxyProtocolVersion ProxyProtocol,
    TimeSpan IdleTimeout,
    TimeSpan DrainTimeout,
    int MaxUdpFlows)
{
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
