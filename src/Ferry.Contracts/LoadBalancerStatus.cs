using System.Net;

namespace Ferry.Contracts;

/// <summary>What a load balancer actually serves: one entry per address, protocol and port.</summary>
public sealed record LoadBalancerStatus(LoadBalancerKey Key, EquatableArray<ListenerStatus> Listeners)
{
    /// <summary>True when every listener on every address is accepting traffic.</summary>
    public bool IsFullyServing => Listeners.All(l => l.IsServing);

    /// <summary>The addresses on which at least one listener serves.</summary>
    public IEnumerable<IPAddress> ServingAddresses => Listeners.Where(l => l.IsServing).Select(l => l.Address).Distinct();
}

/// <summary>The state of one socket of a load balancer.</summary>
/// <param name="Error">Why it does not serve (for example "address already in use"); null when serving.</param>
public sealed record ListenerStatus(IPAddress Address, TransportProtocol Protocol, int Port, bool IsServing, string? Error = null);
