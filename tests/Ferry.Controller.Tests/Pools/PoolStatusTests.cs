using System.Text.Json.Nodes;
using Ferry.Controller.Pools;
using Ferry.Ipam;
using static Ferry.Controller.Tests.Pools.PoolObjects;

namespace Ferry.Controller.Tests.Pools;

public class PoolStatusTests
{
    private static readonly DateTimeOffset _now = new(2026, 3, 5, 12, 30, 15, 250, TimeSpan.Zero);
    private static readonly PoolVerdict _valid = new(true, PoolVerdict.Valid, "hands out addresses");

    [Fact]
    public void Compute_IPv4_ExcludesNetworkAndBroadcast_AndCountsEachHeldAddressOnce()
    {
        var pool = Resource("web", ["192.0.2.0/24", "198.51.100.10-198.51.100.19"], generation: 4);
        Allocation[] allocations =
        [
            Held("default/a", "web", "192.0.2.1"),
            Held("default/b", "web", "192.0.2.1") with { SharingKey = "k" }, // shares a's address
            Held("default/c", "web", "198.51.100.19", "2001:db8::1"),
            Kept("default/d", "192.0.2.200"),                                 // kept outside the pools: still taken
            Held("default/e", "other", "192.0.2.2"),                          // another pool owns it
            Held("default/f", "web", "203.0.113.1"),                          // not in the ranges
        ];

        var status = PoolStatus.Compute(pool, _valid, allocations, _now, currentStatus: null).Status;

        Assert.Equal("264", (string?)status["capacity"]);
        Assert.Equal(3, (long?)status["allocated"]);
        Assert.Equal("261", (string?)status["free"]);
        Assert.Equal(4, (long?)status["observedGeneration"]);
    }

    [Fact]
    public void Compute_IncludeNetworkAndBroadcast_CountsTheWholeCidr()
    {
        var pool = AddressPoolResource.Parse(Json("all", [], spec: new JsonObject
        {
            ["addresses"] = new JsonArray("192.0.2.0/24"),
            ["includeNetworkAndBroadcast"] = true,
        }));

        var status = PoolStatus.Compute(pool, _valid, [Held("default/a", "all", "192.0.2.0")], _now, null).Status;

        Assert.Equal(("256", 1L, "255"), ((string?)status["capacity"], (long?)status["allocated"], (string?)status["free"]));
    }

    [Fact]
    public void Compute_AHugeIPv6Pool_IsCountedExactly()
    {
        var pool = Resource("v6", ["2001:db8::/32", "2001:db9::/127"]);

        var status = PoolStatus.Compute(pool, _valid, [Held("default/a", "v6", "2001:db8::5"), Held("default/b", "v6", "2001:db9::1")], _now, null).Status;

        Assert.Equal("79228162514264337593543950338", (string?)status["capacity"]); // 2^96 + 2
        Assert.Equal("79228162514264337593543950336", (string?)status["free"]);
    }

    [Fact]
    public void Compute_AnInvalidPool_HasNoCapacity_AndItsErrorsInTheCondition()
    {
        var pool = AddressPoolResource.Parse(Json("bad", ["192.0.2.0/24", "x"]));
        var verdict = PoolSet.Build([], [], [pool]).Verdicts["bad"];

        var status = PoolStatus.Compute(pool, verdict, [Held("default/a", "bad", "192.0.2.3")], _now, null).Status;

        Assert.Null(status["capacity"]);
        Assert.Null(status["free"]);
        Assert.Equal(1, (long?)status["allocated"]);
        var ready = Ready(status);
        Assert.Equal(("False", "InvalidAddresses"), ((string?)ready["status"], (string?)ready["reason"]));
        Assert.StartsWith("spec.addresses[1]: invalid", (string?)ready["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_TheReadyCondition_CarriesTheVerdictGenerationAndTime()
    {
        var pool = Resource("web", ["192.0.2.0/24"], generation: 9);

        var ready = Ready(PoolStatus.Compute(pool, _valid, [], _now, null).Status);

        Assert.Equal(
            JsonNode.Parse("""
                {"type":"Ready","status":"True","reason":"Valid","message":"hands out addresses",
                 "lastTransitionTime":"2026-03-05T12:30:15Z","observedGeneration":9}
                """),
            ready,
            JsonNode.DeepEquals);
    }

    [Fact]
    public void Compute_ADeletedPoolStillHeld_IsInUse_NamingTheServices()
    {
        var pool = Resource("old", ["192.0.2.0/24"], deleting: true);
        var verdict = PoolSet.Build([], [], [pool]).Verdicts["old"];
        Allocation[] allocations = [Kept("default/web", "192.0.2.1"), Kept("default/db", "192.0.2.2", "2001:db8::2"), Held("shop/x", "new", "192.0.2.3")];

        var ready = Ready(PoolStatus.Compute(pool, verdict, allocations, _now, null).Status);

        Assert.Equal(
            ("False", "InUse", "deleted, but 2 Services still hold addresses from it: default/db, default/web"),
            ((string?)ready["status"], (string?)ready["reason"], (string?)ready["message"]));
    }

    [Fact]
    public void Compute_ADeletedPoolHeldByMany_NamesTenAndCountsTheRest()
    {
        var pool = Resource("old", ["192.0.2.0/24"], deleting: true);
        var allocations = Enumerable.Range(10, 12).Select(i => Kept($"default/s{i}", $"192.0.2.{i}")).ToList();

        var message = (string?)Ready(PoolStatus.Compute(pool, PoolSet.Build([], [], [pool]).Verdicts["old"], allocations, _now, null).Status)["message"];

        Assert.Equal("deleted, but 12 Services still hold addresses from it: " + string.Join(", ", Enumerable.Range(10, 10).Select(i => $"default/s{i}")) + " and 2 more", message);
    }

    [Fact]
    public void Compute_ADeletedPoolNoOneHolds_IsDeleting()
    {
        var pool = Resource("old", ["192.0.2.0/24"], deleting: true);

        var ready = Ready(PoolStatus.Compute(pool, PoolSet.Build([], [], [pool]).Verdicts["old"], [Held("default/web", "other", "198.51.100.1")], _now, null).Status);

        Assert.Equal(("False", "Deleting", "deleted; no Service holds an address from it"), ((string?)ready["status"], (string?)ready["reason"], (string?)ready["message"]));
    }

    [Fact]
    public void Compute_WrittenStatusReadBack_IsUnchanged_WhateverItsKeyOrder()
    {
        var pool = Resource("web", ["192.0.2.0/24"], generation: 2);
        var allocations = new[] { Held("default/a", "web", "192.0.2.1") };
        var written = PoolStatus.Compute(pool, _valid, allocations, _now, null);
        var readBack = JsonNode.Parse("""
            {"observedGeneration":2,"free":"253","allocated":1,"capacity":"254",
             "conditions":[{"observedGeneration":2,"lastTransitionTime":"2026-03-05T12:30:15Z","message":"hands out addresses","reason":"Valid","status":"True","type":"Ready"}]}
            """)!.AsObject();

        var again = PoolStatus.Compute(pool, _valid, allocations, _now.AddHours(1), readBack);

        Assert.True(written.Changed);
        Assert.False(again.Changed);
        Assert.Equal("2026-03-05T12:30:15Z", (string?)Ready(again.Status)["lastTransitionTime"]);
    }

    [Fact]
    public void Compute_ANewAllocation_IsAChange_ButKeepsTheTransitionTime()
    {
        var pool = Resource("web", ["192.0.2.0/24"]);
        var before = PoolStatus.Compute(pool, _valid, [], _now, null).Status;

        var after = PoolStatus.Compute(pool, _valid, [Held("default/a", "web", "192.0.2.1")], _now.AddMinutes(5), before);

        Assert.True(after.Changed);
        Assert.Equal(1, (long?)after.Status["allocated"]);
        Assert.Equal("2026-03-05T12:30:15Z", (string?)Ready(after.Status)["lastTransitionTime"]);
    }

    [Fact]
    public void Compute_AStatusFlip_MovesTheTransitionTime_AndKeepsOtherConditions()
    {
        var pool = Resource("web", ["192.0.2.0/24"], generation: 3);
        var before = JsonNode.Parse("""
            {"conditions":[{"type":"example.com/Audited","status":"True","reason":"Done","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"},
                           {"type":"Ready","status":"True","reason":"Valid","message":"m","lastTransitionTime":"2026-01-01T00:00:00Z","observedGeneration":2}]}
            """)!.AsObject();

        var after = PoolStatus.Compute(pool, new PoolVerdict(false, PoolVerdict.Overlap, "overlaps"), [], _now, before);

        var conditions = after.Status["conditions"]!.AsArray();
        Assert.True(after.Changed);
        Assert.Equal(["example.com/Audited", "Ready"], conditions.Select(c => (string?)c!["type"]));
        Assert.Equal(("False", "Overlap", "2026-03-05T12:30:15Z", 3L),
            ((string?)conditions[1]!["status"], (string?)conditions[1]!["reason"], (string?)conditions[1]!["lastTransitionTime"], (long?)conditions[1]!["observedGeneration"]));
        Assert.True(JsonNode.DeepEquals(before["conditions"]![0], conditions[0]));
    }

    private static JsonObject Ready(JsonObject status) =>
        status["conditions"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["type"] == PoolStatus.Ready);
}
