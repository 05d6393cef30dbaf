using System.Net;
using Ferry.Contracts;
using Ferry.KernelPlane.Ruleset;

namespace Ferry.KernelPlane.Tests;

/// <summary>The nft script that replaces Ferry's table: atomic, its own table only, one DNAT rule per VIP and listener, named counters.</summary>
public class FerryTableTests
{
    private static LoadBalancerSpec Spec(string name, string vip, TransportProtocol protocol, int port, params BackendSpec[] backends) => new()
    {
        Key = new LoadBalancerKey("default", name),
        Addresses = [IPAddress.Parse(vip)],
        Listeners = [new ListenerSpec { Protocol = protocol, Port = port, Backends = [.. backends] }],
    };

    [Fact]
    public void Render_ReplacesTheTableInOneScript_WithWeightedRoundRobin_AndMasqueradeKeyedOnTheVips()
    {
        var script = FerryTable.Render(
        [
            Spec("web", "203.0.113.10", TransportProtocol.Tcp, 80, new BackendSpec(IPAddress.Parse("198.51.100.2"), 8080, Weight: 2), new BackendSpec(IPAddress.Parse("198.51.100.3"), 8080)),
            Spec("dns", "2001:db8::10", TransportProtocol.Udp, 53, new BackendSpec(IPAddress.Parse("2001:db8:1::1"), 5353)),
        ]);

        var lines = script.Split('\n');
        Assert.Equal("table inet ferry {}", lines[0]);
        Assert.Equal("delete table inet ferry", lines[1]);
        Assert.Equal("table inet ferry {", lines[2]);
        Assert.Contains("  set vips4 { type ipv4_addr; elements = { 203.0.113.10 } }", lines);
        Assert.Contains("  set vips6 { type ipv6_addr; elements = { 2001:db8::10 } }", lines);

        // Listeners render in key order (dns, then web); each takes its counters in turn.
        Assert.Contains(
            "    ip daddr 203.0.113.10 tcp dport 80 counter name \"c4\" dnat ip addr . port to numgen inc mod 3 map { 0 : 198.51.100.2 . 8080, 1 : 198.51.100.2 . 8080, 2 : 198.51.100.3 . 8080 } comment \"default/web/80/TCP\"",
            lines);
        Assert.Contains(
            "    ip6 daddr 2001:db8::10 udp dport 53 counter name \"c0\" dnat ip6 addr . port to numgen inc mod 1 map { 0 : 2001:db8:1::1 . 5353 } comment \"default/dns/53/UDP\"",
            lines);
        Assert.Contains(lines, l => l.Contains("oifname != \"lo\" ct status dnat ct original ip daddr @vips4 masquerade", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("flush ruleset", StringComparison.Ordinal) || l.Contains("table ip ", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_CountsPerBackendThroughTupleMaps_AndNamesWhatEachCounterCounts()
    {
        var web = Spec("web", "203.0.113.10", TransportProtocol.Tcp, 80, new BackendSpec(IPAddress.Parse("198.51.100.2"), 8080));
        var draining = new BackendSpec(IPAddress.Parse("198.51.100.9"), 8080);
        var listener = new TableListener(web.Key, web.Addresses[0], web.Listeners[0], web.Settings, web.Listeners[0].Backends, [.. web.Listeners[0].Backends, draining]);

        var rendered = FerryTable.Render(new TableContent([listener], []));

        // The draining backend is counted but takes no new connection.
        Assert.Contains("numgen inc mod 1 map { 0 : 198.51.100.2 . 8080 }", rendered.Script, StringComparison.Ordinal);
        Assert.Contains("map to4 { type inet_proto . ipv4_addr . inet_service . ipv4_addr . inet_service : counter; elements = { tcp . 203.0.113.10 . 80 . 198.51.100.2 . 8080 : \"c2\", tcp . 203.0.113.10 . 80 . 198.51.100.9 . 8080 : \"c5\" } }", rendered.Script, StringComparison.Ordinal);
        Assert.Contains("    meta l4proto tcp ct direction reply counter name meta l4proto . ct original ip daddr . ct original proto-dst . ct reply ip saddr . ct reply proto-src map @back4\n", rendered.Script, StringComparison.Ordinal);
        Assert.Contains("  counter c6 {}\n", rendered.Script, StringComparison.Ordinal);
        Assert.Equal(7, rendered.Counters.Count);
        Assert.Equal(new CounterKey(web.Key, TransportProtocol.Tcp, 80, web.Addresses[0], null, CounterKind.Accepted), rendered.Counters["c0"]);
        Assert.Equal(new CounterKey(web.Key, TransportProtocol.Tcp, 80, web.Addresses[0], draining.EndPoint, CounterKind.ToClient), rendered.Counters["c6"]);
    }

    [Fact]
    public void Render_NoBackendsOrOtherFamilyOrZeroWeight_NoRule_AndNothingToServe_AnEmptyTable()
    {
        var script = FerryTable.Render(
        [
            Spec("none", "203.0.113.11", TransportProtocol.Tcp, 80),
            Spec("v6only", "203.0.113.12", TransportProtocol.Tcp, 80, new BackendSpec(IPAddress.Parse("2001:db8:1::1"), 80)),
            Spec("drained", "203.0.113.13", TransportProtocol.Tcp, 80, new BackendSpec(IPAddress.Parse("198.51.100.2"), 80, Weight: 0)),
        ]);

        Assert.DoesNotContain(" to numgen ", script, StringComparison.Ordinal);
        Assert.Contains("elements = { 203.0.113.11, 203.0.113.12, 203.0.113.13 }", script, StringComparison.Ordinal);
        var empty = FerryTable.Render([]);
        Assert.Contains("  set vips4 { type ipv4_addr; }", empty, StringComparison.Ordinal);
        Assert.EndsWith("  chain services {\n  }\n}\n", empty, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AffinityHashesTheClientOverTheSlotTable_RandomPicksAtRandom_SourceRangesDropOthersPerFamily()
    {
        var backend = new BackendSpec(IPAddress.Parse("198.51.100.2"), 8080);
        var sticky = Spec("sticky", "203.0.113.20", TransportProtocol.Tcp, 80, backend) with
        {
            Settings = new LoadBalancerSettings { SessionAffinity = new SessionAffinitySpec(TimeSpan.FromHours(3)), SourceRanges = [IPNetwork.Parse("192.0.2.0/28"), IPNetwork.Parse("2001:db8::/64")] },
        };
        var random = Spec("random", "2001:db8::20", TransportProtocol.Udp, 53, new BackendSpec(IPAddress.Parse("2001:db8:1::1"), 53)) with
        {
            Settings = new LoadBalancerSettings { Algorithm = BalancingAlgorithm.Random, SourceRanges = [IPNetwork.Parse("192.0.2.0/28")] },
        };

        var lines = FerryTable.Render([sticky, random]).Split('\n');

        Assert.Contains(lines, l => l.StartsWith("    ip daddr 203.0.113.20 tcp dport 80 ip saddr != { 192.0.2.0/28 } counter name \"c", StringComparison.Ordinal) && l.EndsWith("\" drop comment \"default/sticky/80/TCP\"", StringComparison.Ordinal));
        var hashed = Assert.Single(lines, l => l.Contains("jhash ip saddr mod 1021 seed 0x46657272 map { 0 : 198.51.100.2 . 8080, 1 : 198.51.100.2 . 8080,", StringComparison.Ordinal));
        Assert.EndsWith("1020 : 198.51.100.2 . 8080 } comment \"default/sticky/80/TCP\"", hashed, StringComparison.Ordinal);

        // Only IPv4 ranges for an IPv6 address: no IPv6 client may use it.
        Assert.Contains(lines, l => l.StartsWith("    ip6 daddr 2001:db8::20 udp dport 53 counter name \"c", StringComparison.Ordinal) && l.EndsWith("\" drop comment \"default/random/53/UDP\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("dnat ip6 addr . port to numgen random mod 1", StringComparison.Ordinal));
        var drop = Array.FindIndex(lines, l => l.Contains("203.0.113.20 tcp dport 80 ip saddr", StringComparison.Ordinal));
        var dnat = Array.FindIndex(lines, l => l.Contains("203.0.113.20 tcp dport 80 counter name", StringComparison.Ordinal) && l.Contains("dnat", StringComparison.Ordinal));
        Assert.True(drop >= 0 && drop < dnat, "the source-range rule must come before the DNAT");
    }
}
