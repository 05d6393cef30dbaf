using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Contracts;

namespace Ferry.KernelPlane.Ruleset;

/// <summary>
/// Renders the desired load balancers as one nft script that replaces Ferry's own table, <c>inet ferry</c>, whole:
/// it creates the table if missing, deletes it and defines it again, in one transaction. So every change is
/// atomic, a restart rebuilds the table from the desired state (whatever a killed process left goes), and no
/// other table is ever touched. Pure: the caller runs the script (<see cref="NftablesSession"/>).
/// </summary>
/// <remarks>
/// Per listener one rule in chain <c>services</c>: the VIP and port, DNAT to a backend picked from a map in
/// which a weight-W backend fills W slots: in turn (<c>numgen inc</c>, round robin, and for the algorithms the
/// kernel cannot do: least connections, power of two), at random (<c>numgen random</c>), or by a hash of the
/// client address (<c>jhash</c> with a fixed seed, for <c>clientIpHash</c> and <c>sessionAffinity: ClientIP</c>:
/// a client keeps its backend while the backend set stays the same). With <c>loadBalancerSourceRanges</c> a rule
/// before it drops, and counts, new connections and flows from other sources. Chains <c>prerouting</c> (traffic from other hosts) and
/// <c>output</c> (clients on this host) jump to it. Replies come back through this host because connections it
/// DNATed are masqueraded towards the backends (chain <c>postrouting</c>, keyed on the original VIP), as IPVS NAT
/// and kube-proxy do: backends see this host's address, not the client's.
/// </remarks>
public static class FerryTable
{
    /// <summary>The table's family and name.</summary>
    public const string Name = "inet ferry";

    /// <summary>The seed of the client-address hash: fixed, so a rebuilt table maps clients as before.</summary>
    private const string HashSeed = "0x46657272";

    /// <summary>The script that makes the table hold exactly <paramref name="loadBalancers"/>.</summary>
    public static string Render(IEnumerable<LoadBalancerSpec> loadBalancers)
    {
        ArgumentNullException.ThrowIfNull(loadBalancers);
        var specs = loadBalancers.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal).ToList();
        var vips = specs.SelectMany(s => s.Addresses).Distinct().ToList();
        var script = new StringBuilder();
        script.Append("table ").Append(Name).Append(" {}\n");
        script.Append("delete table ").Append(Name).Append('\n');
        script.Append("table ").Append(Name).Append(" {\n");
        AppendSet(script, "vips4", "ipv4_addr", vips.Where(a => a.AddressFamily == AddressFamily.InterNetwork));
        AppendSet(script, "vips6", "ipv6_addr", vips.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6));
        script.Append("  chain prerouting { type nat hook prerouting priority dstnat; policy accept; jump services; }\n");
        script.Append("  chain output { type nat hook output priority -100; policy accept; jump services; }\n");
        script.Append("  chain postrouting { type nat hook postrouting priority srcnat; policy accept; ")
            .Append("ct status dnat ct original ip daddr @vips4 masquerade; ct status dnat ct original ip6 daddr @vips6 masquerade; }\n");
        script.Append("  chain services {\n");
        foreach (var spec in specs)
        {
            foreach (var address in spec.Addresses)
            {
                foreach (var listener in spec.Listeners)
                {
                    AppendListener(script, spec, address, listener);
                }
            }
        }

        script.Append("  }\n}\n");
        return script.ToString();
    }

    private static void AppendSet(StringBuilder script, string name, string type, IEnumerable<IPAddress> addresses)
    {
        var elements = string.Join(", ", addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
        script.Append("  set ").Append(name).Append(" { type ").Append(type).Append(';');
        if (elements.Length > 0)
        {
            script.Append(" elements = { ").Append(elements).Append(" }");
        }

        script.Append(" }\n");
    }

    private static void AppendListener(StringBuilder script, LoadBalancerSpec spec, IPAddress address, ListenerSpec listener)
    {
        var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip";
        var protocol = listener.Protocol == TransportProtocol.Udp ? "udp" : "tcp";
        var match = string.Create(CultureInfo.InvariantCulture, $"    {family} daddr {address} {protocol} dport {listener.Port} ");
        var comment = " comment " + Comment(spec.Key, listener) + "\n";
        if (spec.Settings.SourceRanges.Length > 0)
        {
            // Only clients in the ranges; none of this address's family means nobody of it.
            var ranges = spec.Settings.SourceRanges.Where(r => r.BaseAddress.AddressFamily == address.AddressFamily).Select(r => r.ToString()).ToList();
            script.Append(match)
                .Append(ranges.Count > 0 ? $"{family} saddr != {{ {string.Join(", ", ranges)} }} " : string.Empty)
                .Append("counter drop").Append(comment);
        }

        // A backend of the other family cannot be reached by DNAT from this address; weight 0 takes no traffic.
        var slots = listener.Backends
            .Where(b => b.Address.AddressFamily == address.AddressFamily && b.Weight > 0)
            .SelectMany(b => Enumerable.Repeat(b, b.Weight))
            .ToList();
        if (slots.Count == 0)
        {
            return;
        }

        var pick = spec.Settings.SessionAffinity is not null || spec.Settings.Algorithm == BalancingAlgorithm.ClientIpHash
            ? $"jhash {family} saddr mod {slots.Count} seed {HashSeed}"
            : spec.Settings.Algorithm == BalancingAlgorithm.Random ? $"numgen random mod {slots.Count}" : $"numgen inc mod {slots.Count}";
        var map = string.Join(", ", slots.Select((b, i) => string.Create(CultureInfo.InvariantCulture, $"{i} : {b.Address} . {b.Port}")));
        script.Append(match).Append(CultureInfo.InvariantCulture, $"dnat {family} addr . port to {pick} map {{ {map} }}").Append(comment);
    }

    /// <summary>Names the load balancer and listener a rule serves (nft comments are quoted, at most 128 bytes).</summary>
    private static string Comment(LoadBalancerKey key, ListenerSpec listener)
    {
        var text = $"{key}/{listener}".Replace("\"", string.Empty, StringComparison.Ordinal);
        return "\"" + (text.Length > 120 ? text[..120] : text) + "\"";
    }
}
