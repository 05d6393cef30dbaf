using System.Buffers.Binary;
using System.Net;
using Ferry.Contracts;
using Ferry.KernelPlane.Conntrack;
using Ferry.KernelPlane.Ruleset;

namespace Ferry.KernelPlane.Tests;

/// <summary>Reading a previous process's rules back, and the ctnetlink messages drains send and read.</summary>
public class AdoptionAndConntrackMessagesTests
{
    [Fact]
    public void AdoptedTable_KeepsServicesRulesByTheirComment_WithoutNamedCounters()
    {
        const string listing = "table inet ferry {\n\tcounter c0 {\n\t\tpackets 0 bytes 0\n\t}\n\n\tchain services {\n"
            + "\t\tip daddr 203.0.113.10 tcp dport 80 counter name \"c0\" dnat ip to numgen inc mod 1 map { 0 : 198.51.100.2 . 8080 } comment \"default/web/80/TCP\"\n"
            + "\t\tip6 daddr 2001:db8::10 udp dport 53 counter name \"c4\" drop comment \"dns/53/UDP\"\n"
            + "\t\tip daddr 203.0.113.11 tcp dport 80 accept\n\t}\n\n\tchain stats {\n\t\tmeta l4proto tcp ct direction reply counter comment \"default/x/1/TCP\"\n\t}\n}\n";

        var rules = AdoptedTable.Parse(listing);

        Assert.Equal(2, rules.Count);
        Assert.Equal(new AdoptedRule(new LoadBalancerKey("default", "web"), IPAddress.Parse("203.0.113.10"), "ip daddr 203.0.113.10 tcp dport 80 dnat ip to numgen inc mod 1 map { 0 : 198.51.100.2 . 8080 } comment \"default/web/80/TCP\""), rules[0]);
        Assert.Equal(LoadBalancerKey.Standalone("dns"), rules[1].Key);
        Assert.Equal("ip6 daddr 2001:db8::10 udp dport 53 drop comment \"dns/53/UDP\"", rules[1].Text);
        Assert.Empty(AdoptedTable.Parse(string.Empty));
    }

    [Fact]
    public void DeleteRequest_NamesTheOriginalTuple_AndParseEntryReadsADumpedOne()
    {
        var entry = new ConntrackEntry(6, new IPEndPoint(IPAddress.Parse("192.0.2.3"), 40000), new IPEndPoint(IPAddress.Parse("203.0.113.10"), 80), new IPEndPoint(IPAddress.Parse("198.51.100.2"), 8080), new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40000), 0, 77);

        var request = ConntrackMessages.DeleteRequest(9, entry);

        Assert.Equal((uint)request.Length, BinaryPrimitives.ReadUInt32LittleEndian(request));
        Assert.Equal(0x102, BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(4)));
        Assert.Equal(0x5, BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(6)));
        Assert.Equal(2, request[16]); // AF_INET

        // A dumped entry is the same attributes with the reply tuple added: build one from the request's tuple.
        var original = request.AsSpan(20, request.Length - 20 - 8).ToArray(); // CTA_TUPLE_ORIG, without CTA_ID
        var reply = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(2), 0x8002);
        IPAddress.Parse("198.51.100.2").GetAddressBytes().CopyTo(reply, 12);
        IPAddress.Parse("198.51.100.1").GetAddressBytes().CopyTo(reply, 20);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(40), 8080);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(48), 40000);
        var payload = new byte[4].Concat(original).Concat(reply).Concat(request[^8..]).ToArray();

        var parsed = ConntrackMessages.ParseEntry(payload);

        Assert.Equal(entry, parsed);
        var split = Assert.Single(ConntrackMessages.Split(request, request.Length));
        Assert.Equal((ushort)0x102, split.Type);
        Assert.Equal(9u, split.Sequence);
    }
}
