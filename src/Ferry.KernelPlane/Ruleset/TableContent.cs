using System.Net;
using Ferry.Contracts;

namespace Ferry.KernelPlane.Ruleset;

/// <summary>Everything <see cref="FerryTable"/> renders: the listeners Ferry serves and the rules it adopted from a previous process.</summary>
/// <param name="Listeners">One entry per address and listener of every ensured load balancer.</param>
/// <param name="Adopted">Rules kept verbatim from the table a killed process left, for load balancers not ensured yet.</param>
public sealed record TableContent(IReadOnlyList<TableListener> Listeners, IReadOnlyList<AdoptedRule> Adopted)
{
    /// <summary>Nothing to serve: an empty table.</summary>
    public static readonly TableContent Empty = new([], []);
}

/// <summary>One address and listener of a load balancer, with the backends that take new connections now.</summary>
/// <param name="Key">The load balancer.</param>
/// <param name="Address">The VIP.</param>
/// <param name="Listener">Its protocol and port (its backends are the spec's; see <paramref name="Available"/>).</param>
/// <param name="Settings">Algorithm, affinity and source ranges.</param>
/// <param name="Available">The backends new connections go to (the health snapshot's, or all when none is healthy).</param>
/// <param name="Counted">The backends whose traffic is counted: every current one and those draining.</param>
public sealed record TableListener(
    LoadBalancerKey Key,
    IPAddress Address,
    ListenerSpec Listener,
    LoadBalancerSettings Settings,
    IReadOnlyList<BackendSpec> Available,
    IReadOnlyList<BackendSpec> Counted);

/// <summary>A rule of chain <c>services</c> kept verbatim (as nft lists it) from a previous process.</summary>
/// <param name="Key">The load balancer named by its comment.</param>
/// <param name="Address">The VIP it matches (masqueraded like any other).</param>
/// <param name="Text">The rule, as nft lists it, without references to the old table's named counters.</param>
public sealed record AdoptedRule(LoadBalancerKey Key, IPAddress Address, string Text);

/// <summary>What a named counter of the table counts.</summary>
public enum CounterKind
{
    /// <summary>New connections and flows DNATed to a backend (the listener's; packets are first packets).</summary>
    Accepted,

    /// <summary>First packets of clients outside <c>loadBalancerSourceRanges</c>, dropped.</summary>
    RefusedBySourceRange,

    /// <summary>Connections and flows opened to one backend.</summary>
    Opened,

    /// <summary>Packets and bytes (IP lengths) from the client towards one backend.</summary>
    ToBackend,

    /// <summary>Packets and bytes (IP lengths) from one backend back to the client.</summary>
    ToClient,
}

/// <summary>Identifies one counted quantity across re-renders (the kernel object's name changes, this does not).</summary>
/// <param name="Backend">The backend for per-backend kinds, null for the listener's.</param>
public sealed record CounterKey(LoadBalancerKey LoadBalancer, TransportProtocol Protocol, int Port, IPAddress Address, IPEndPoint? Backend, CounterKind Kind);

/// <summary>A rendered script and what each of its named counters counts.</summary>
public sealed record RenderedTable(string Script, IReadOnlyDictionary<string, CounterKey> Counters);
