using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Contracts;

namespace Ferry.KernelPlane.Ruleset;

/// <summary>
/// Renders the desired load balancers as one nft script that replaces Ferry's own table, <c>inet ferry</c>, whole:
/// it creates the table if missing, deletes it and defines it again, in one transaction. So every change is
/// atomic, and no other table is ever touched. Pure: the caller runs the script (<see cref="NftablesSession"/>).
/// </summary>
/// <remarks>
/// <para>
/// Per listener one rule in chain <c>services</c>: the VIP and port, DNAT to a backend picked from a map: in turn
/// (<c>numgen inc</c> over slots in which a weight-W backend fills W; round robin, and for the algorithms the kernel
/// cannot do: least connections, power of two), at random (<c>numgen random</c>), or by a hash of the client address
/// (<c>jhash</c> with a fixed seed over the <see cref="SlotTable.Size"/> slots of a <see cref="SlotTable"/>, for
/// <c>clientIpHash</c> and <c>sessionAffinity: ClientIP</c>: a client keeps its backend while the backend set stays,
/// and a backend that goes or comes moves only its own share of clients). With <c>loadBalancerSourceRanges</c> a
/// rule before it drops, and counts, first packets from other sources. Chains <c>prerouting</c> (traffic from other
/// hosts) and <c>output</c> (clients on this host) jump to it. Replies come back through this host because
/// connections it DNATed are masqueraded towards the backends (chain <c>postrouting</c>, keyed on the original VIP),
/// as IPVS NAT and kube-proxy do: backends see this host's address, not the client's. Not on the loopback interface:
/// there replies come back to this host anyway, and a masqueraded loopback connection was seen to hang (in a namespace with only lo).
/// </para>
/// <para>
/// Counting (docs/design/0006-kernel-data-plane.md): the DNAT and drop rules count into named counters; chain
/// <c>stats</c> (filter, postrouting, which every packet of a DNATed connection passes in both directions) looks up
/// per-backend named counters in maps keyed on the connection's tuple: protocol, original destination (VIP and
/// port) and reply source (backend and port); original-direction packets count towards the backend, reply-direction
/// ones back to the client, and the first packet (<c>ct state new</c>) counts a connection opened.
/// </para>
/// </remarks>
public static class FerryTable
{
    /// <summary>The table's family and name.</summary>
    public const string Name = "inet ferry";

    /// <summary>The seed of the client-address hash: fixed, so a rebuilt table maps clients as before.</summary>
    private const string HashSeed = "0x46657272";


    /// <summary>The script that makes the table hold exactly <paramref name="loadBalancers"/>, every backend available.</summary>
    public static string Render(IEnumerable<LoadBalancerSpec> loadBalancers)
    {
        ArgumentNullException.ThrowIfNull(loadBalancers);
        var listeners = loadBalancers
            .SelectMany(s => s.Addresses.SelectMany(a => s.Listeners.Select(l => new TableListener(s.Key, a, l, s.Settings, l.Backends, l.Backends))))
            .ToList();
        return Render(new TableContent(listeners, [])).Script;
    }

    /// <summary>The script that makes the table hold exactly <paramref name="content"/>, and the names of its counters.</summary>
    public static RenderedTable Render(TableContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var listeners = content.Listeners
            .OrderBy(l => l.Key.ToString(), StringComparer.Ordinal)
            .ThenBy(l => l.Address.ToString(), StringComparer.Ordinal)
            .ThenBy(l => l.Listener.Port)
            .ThenBy(l => l.Listener.Protocol)
            .ToList();
        var counters = new Dictionary<string, CounterKey>(StringComparer.Ordinal);
        var rules = new StringBuilder();
        var tuples = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        var seenTuples = new HashSet<string>(StringComparer.Ordinal);
        foreach (var listener in listeners)
        {
            AppendListener(rules, listener, counters);
            AppendTupleCounters(tuples, seenTuples, listener, counters);
        }

        foreach (var adopted in content.Adopted)
        {
            rules.Append("    ").Append(adopted.Text).Append('\n');
        }

        var vips = listeners.Select(l => l.Address).Concat(content.Adopted.Select(r => r.Address)).Distinct().ToList();
        var script = new StringBuilder();
        script.Append("table ").Append(Name).Append(" {}\n");
        script.Append("delete table ").Append(Name).Append('\n');
        script.Append("table ").Append(Name).Append(" {\n");
        foreach (var name in counters.Keys)
        {
            script.Append("  counter ").Append(name).Append(" {}\n");
        }

        AppendSet(script, "vips4", "ipv4_addr", vips.Where(a => a.AddressFamily == AddressFamily.InterNetwork));
        AppendSet(script, "vips6", "ipv6_addr", vips.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6));
        foreach (var (map, family) in new[] { ("4", "ipv4_addr"), ("6", "ipv6_addr") })
        {
            foreach (var direction in new[] { "new", "to", "back" })
            {
                var elements = tuples.GetValueOrDefault(direction + map);
                script.Append("  map ").Append(direction).Append(map)
                    .Append(CultureInfo.InvariantCulture, $" {{ type inet_proto . {family} . inet_service . {family} . inet_service : counter;");
                if (elements is { Length: > 0 })
                {
                    script.Append(" elements = { ").Append(elements).Append(" }");
                }

                script.Append(" }\n");
            }
        }

        script.Append("  chain prerouting { type nat hook prerouting priority dstnat; policy accept; jump services; }\n");
        script.Append("  chain output { type nat hook output priority -100; policy accept; jump services; }\n");
        script.Append("  chain postrouting { type nat hook postrouting priority srcnat; policy accept; ")
            .Append("oifname != \"lo\" ct status dnat ct original ip daddr @vips4 masquerade; oifname != \"lo\" ct status dnat ct original ip6 daddr @vips6 masquerade; }\n");
        script.Append("  chain stats {\n    type filter hook postrouting priority filter; policy accept;\n");
        foreach (var (map, family) in new[] { ("4", "ip"), ("6", "ip6") })
        {
            var key = $"meta l4proto . ct original {family} daddr . ct original proto-dst . ct reply {family} saddr . ct reply proto-src";
            foreach (var protocol in new[] { "tcp", "udp" })
            {
                // meta l4proto first: nft needs it to type the ports of the tuple.
                script.Append(CultureInfo.InvariantCulture, $"    meta l4proto {protocol} ct direction original ct state new counter name {key} map @new{map}\n");
                script.Append(CultureInfo.InvariantCulture, $"    meta l4proto {protocol} ct direction original counter name {key} map @to{map}\n");
                script.Append(CultureInfo.InvariantCulture, $"    meta l4proto {protocol} ct direction reply counter name {key} map @back{map}\n");
            }
        }

        script.Append("  }\n");
        script.Append("  chain services {\n").Append(rules).Append("  }\n}\n");
        return new RenderedTable(script.ToString(), counters);
    }

    /// <summary>Names the load balancer and listener a rule serves (nft comments are quoted, at most 128 bytes).</summary>
    public static string Comment(LoadBalancerKey key, ListenerSpec listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var text = $"{key}/{listener}".Replace("\"", string.Empty, StringComparison.Ordinal);
        return "\"" + (text.Length > 120 ? text[..120] : text) + "\"";
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

    private static void AppendListener(StringBuilder script, TableListener entry, Dictionary<string, CounterKey> counters)
    {
        var (address, listener) = (entry.Address, entry.Listener);
        var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip";
        var protocol = listener.Protocol == TransportProtocol.Udp ? "udp" : "tcp";
        var match = string.Create(CultureInfo.InvariantCulture, $"    {family} daddr {address} {protocol} dport {listener.Port} ");
        var comment = " comment " + Comment(entry.Key, listener) + "\n";
        if (entry.Settings.SourceRanges.Length > 0)
        {
            // Only clients in the ranges; none of this address's family means nobody of it.
            var ranges = entry.Settings.SourceRanges.Where(r => r.BaseAddress.AddressFamily == address.AddressFamily).Select(r => r.ToString()).ToList();
            var dropped = Counter(counters, entry, null, CounterKind.RefusedBySourceRange);
            script.Append(match)
                .Append(ranges.Count > 0 ? $"{family} saddr != {{ {string.Join(", ", ranges)} }} " : string.Empty)
                .Append("counter name ").Append(dropped).Append(" drop").Append(comment);
        }

        // A backend of the other family cannot be reached by DNAT from this address; weight 0 takes no traffic.
        var candidates = entry.Available.Where(b => b.Address.AddressFamily == address.AddressFamily && b.Weight > 0).ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var hashed = entry.Settings.SessionAffinity is not null || entry.Settings.Algorithm == BalancingAlgorithm.ClientIpHash;
        var slots = hashed ? SlotTable.Build(candidates) : [.. candidates.SelectMany(b => Enumerable.Repeat(b, b.Weight))];
        var pick = hashed
            ? $"jhash {family} saddr mod {slots.Length} seed {HashSeed}"
            : entry.Settings.Algorithm == BalancingAlgorithm.Random ? $"numgen random mod {slots.Length}" : $"numgen inc mod {slots.Length}";
        var map = string.Join(", ", slots.Select((b, i) => string.Create(CultureInfo.InvariantCulture, $"{i} : {b.Address} . {b.Port}")));
        var accepted = Counter(counters, entry, null, CounterKind.Accepted);
        script.Append(match).Append("counter name ").Append(accepted)
            .Append(CultureInfo.InvariantCulture, $" dnat {family} addr . port to {pick} map {{ {map} }}").Append(comment);
    }

    /// <summary>Map elements from the connection's tuple to the per-backend counters of <paramref name="entry"/>.</summary>
    private static void AppendTupleCounters(Dictionary<string, StringBuilder> maps, HashSet<string> seen, TableListener entry, Dictionary<string, CounterKey> counters)
    {
        var (address, listener) = (entry.Address, entry.Listener);
        var suffix = address.AddressFamily == AddressFamily.InterNetworkV6 ? "6" : "4";
        var protocol = listener.Protocol == TransportProtocol.Udp ? "udp" : "tcp";
        foreach (var backend in entry.Counted.Where(b => b.Address.AddressFamily == address.AddressFamily).DistinctBy(b => b.EndPoint))
        {
            var tuple = string.Create(CultureInfo.InvariantCulture, $"{protocol} . {address} . {listener.Port} . {backend.Address} . {backend.Port}");
            if (!seen.Add(tuple))
            {
                continue; // the same tuple under two load balancers (a conflict the controller resolves): count it once
            }

            foreach (var (direction, kind) in new[] { ("new", CounterKind.Opened), ("to", CounterKind.ToBackend), ("back", CounterKind.ToClient) })
            {
                var elements = maps.TryGetValue(direction + suffix, out var existing) ? existing : maps[direction + suffix] = new StringBuilder();
                if (elements.Length > 0)
                {
                    elements.Append(", ");
                }

                elements.Append(tuple).Append(" : ").Append(Counter(counters, entry, backend.EndPoint, kind));
            }
        }
    }

    /// <summary>A new named counter for <paramref name="kind"/>; names are only unique within one render.</summary>
    private static string Counter(Dictionary<string, CounterKey> counters, TableListener entry, IPEndPoint? backend, CounterKind kind)
    {
        var name = "c" + counters.Count.ToString(CultureInfo.InvariantCulture);
        counters[name] = new CounterKey(entry.Key, entry.Listener.Protocol, entry.Listener.Port, entry.Address, backend, kind);
        return "\"" + name + "\"";
    }
}
