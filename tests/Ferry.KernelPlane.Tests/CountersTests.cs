using System.Net;
using Ferry.Contracts;
using Ferry.KernelPlane.Ruleset;
using Ferry.KernelPlane.Stats;

namespace Ferry.KernelPlane.Tests;

/// <summary>nft's JSON counter listing, and counters carried over the re-renders that reset them.</summary>
public class CountersTests
{
    private static readonly LoadBalancerKey _web = new("default", "web");

    private static CounterKey Key(CounterKind kind) => new(_web, TransportProtocol.Tcp, 80, IPAddress.Parse("203.0.113.10"), null, kind);

    [Fact]
    public void Parse_ReadsFerrysNamedCounters_AndRefusesText()
    {
        const string json = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
            {"counter": {"family": "inet", "name": "c0", "table": "ferry", "handle": 2, "packets": 3, "bytes": 180}},
            {"counter": {"family": "ip", "name": "c1", "table": "other", "handle": 2, "packets": 9, "bytes": 9}}]}
            """;

        var counters = CounterListing.Parse(json);

        Assert.Equal(new CounterValue(3, 180), Assert.Single(counters).Value);
        Assert.Empty(CounterListing.Parse(string.Empty));
        Assert.Throws<FormatException>(() => CounterListing.Parse("table inet ferry {\n\tcounter c0 {\n"));
    }

    [Fact]
    public void Ledger_CarriesTotalsAcrossRenders_ForKeysTheNewTableKeeps()
    {
        var ledger = new CounterLedger();
        var first = new Dictionary<string, CounterKey> { ["c0"] = Key(CounterKind.Accepted), ["c1"] = Key(CounterKind.RefusedBySourceRange) };
        ledger.Commit(ledger.Carry(new Dictionary<string, CounterValue>(), first), first);
        Assert.Equal(new CounterValue(5, 300), ledger.Totals(new Dictionary<string, CounterValue> { ["c0"] = new(5, 300) })[Key(CounterKind.Accepted)]);

        // A re-render renames the counters and drops the source-range one: the accepted total carries, the other goes.
        var second = new Dictionary<string, CounterKey> { ["c7"] = Key(CounterKind.Accepted) };
        var carried = ledger.Carry(new Dictionary<string, CounterValue> { ["c0"] = new(5, 300), ["c1"] = new(2, 120) }, second);
        ledger.Commit(carried, second);

        var totals = ledger.Totals(new Dictionary<string, CounterValue> { ["c7"] = new(1, 60), ["c0"] = new(100, 100) });
        Assert.Equal(new CounterValue(6, 360), totals[Key(CounterKind.Accepted)]);
        Assert.False(totals.ContainsKey(Key(CounterKind.RefusedBySourceRange)));
    }
}
