using System.Text.Json.Nodes;
using Ferry.Contracts.Announcement;
using Ferry.Controller.Pools;
using static Ferry.Controller.Tests.Pools.PoolObjects;

namespace Ferry.Controller.Tests.Pools;

public class PoolSetTests
{
    [Fact]
    public void Build_ValidObjects_ServeBesideTheSeed_AndAreReady()
    {
        var set = PoolSet.Build(
            [Seed("file", "198.51.100.0/24")],
            [PoolAnnouncement.NotAnnounced("file")],
            [Resource("b", ["192.0.2.16/28"], Monday.AddHours(1)), Resource("a", ["192.0.2.0/28", "2001:db8::/64"])]);

        Assert.Equal(["file", "a", "b"], set.Pools.Select(p => p.Name));
        Assert.Equal(["file", "a", "b"], set.Announcements.Select(a => a.Pool));
        Assert.Equal(new PoolVerdict(true, PoolVerdict.Valid, "hands out addresses from 192.0.2.0/28, 2001:db8::/64"), set.Verdicts["a"]);
        Assert.True(set.Verdicts["b"].IsReady);
    }

    [Fact]
    public void Build_OfTwoOverlappingObjects_TheOlderServes_WhateverTheInputOrder()
    {
        var older = Resource("older", ["192.0.2.0/24"], Monday);
        var newer = Resource("newer", ["198.51.100.0/24", "192.0.2.128/25"], Monday.AddDays(1));

        foreach (var set in new[] { PoolSet.Build([], [], [older, newer]), PoolSet.Build([], [], [newer, older]) })
        {
            Assert.Equal(["older"], set.Pools.Select(p => p.Name));
            Assert.True(set.Verdicts["older"].IsReady);
            Assert.Equal(
                new PoolVerdict(false, PoolVerdict.Overlap, "192.0.2.128/25 overlaps 192.0.2.0/24 of address pool \"older\", which is older"),
                set.Verdicts["newer"]);
        }
    }

    [Fact]
    public void Build_CreatedInTheSameSecond_TheFirstByNameServes()
    {
        var set = PoolSet.Build([], [], [Resource("zeta", ["192.0.2.0/24"]), Resource("alpha", ["192.0.2.7-192.0.2.9"])]);

        Assert.Equal(["alpha"], set.Pools.Select(p => p.Name));
        Assert.Equal(
            "192.0.2.0/24 overlaps 192.0.2.7-192.0.2.9 of address pool \"alpha\", created at the same time and first by name",
            set.Verdicts["zeta"].Message);
    }

    [Fact]
    public void Build_APoolInUse_KeepsItsAddresses_AgainstAnOverlappingNewcomerOfTheSameSecondFirstByName()
    {
        var set = PoolSet.Build([], [], [Resource("zeta", ["192.0.2.0/24"]), Resource("alpha", ["192.0.2.7-192.0.2.9"])], new HashSet<string> { "zeta" });

        Assert.Equal(["zeta"], set.Pools.Select(p => p.Name));
        Assert.False(set.Verdicts["alpha"].IsReady);
        Assert.Equal(
            "192.0.2.7-192.0.2.9 overlaps 192.0.2.0/24 of address pool \"zeta\", which is in use",
            set.Verdicts["alpha"].Message);
    }

    [Fact]
    public void Build_ARefusedObject_BlocksNoOneElse()
    {
        var set = PoolSet.Build([], [],
        [
            Resource("first", ["192.0.2.0/26"], Monday),
            Resource("wide", ["192.0.2.0/24"], Monday.AddHours(1)),
            Resource("third", ["192.0.2.128/26"], Monday.AddHours(2)),
        ]);

        Assert.Equal(["first", "third"], set.Pools.Select(p => p.Name));
        Assert.Equal(PoolVerdict.Overlap, set.Verdicts["wide"].Reason);
    }

    [Fact]
    public void Build_AnObjectOverlappingASeedOfAnotherName_IsRefused_EvenWhenOlder()
    {
        var set = PoolSet.Build([Seed("file", "192.0.2.0/24")], [], [Resource("mine", ["192.0.2.10-192.0.2.20"], Monday.AddYears(-1))]);

        Assert.Equal(["file"], set.Pools.Select(p => p.Name));
        Assert.Equal(
            new PoolVerdict(false, PoolVerdict.Overlap, "192.0.2.10-192.0.2.20 overlaps 192.0.2.0/24 of address pool \"file\" of the pools file, which takes precedence"),
            set.Verdicts["mine"]);
    }

    [Fact]
    public void Build_AnObjectReplacesTheSeedOfItsName_InItsPlace_WithItsOwnAnnouncement()
    {
        var lan = AddressPoolResource.Parse(Json("lan", [], spec: new JsonObject
        {
            ["addresses"] = new JsonArray("192.0.2.0/24"),
            ["announce"] = "l2",
            ["interfaces"] = new JsonArray("eth1"),
        }));

        var set = PoolSet.Build(
            [Seed("lan", "192.0.2.0/25"), Seed("routed", "198.51.100.0/24")],
            [new PoolAnnouncement("lan", AnnouncementMode.None, new([])), PoolAnnouncement.NotAnnounced("routed")],
            [lan]);

        Assert.Equal(["lan", "routed"], set.Pools.Select(p => p.Name));
        Assert.Equal(["192.0.2.0/24"], set.Pools[0].Ranges.Select(r => r.Text));
        Assert.Equal(new PoolAnnouncement("lan", AnnouncementMode.Layer2, new(["eth1"])), set.Announcements[0]);
        Assert.Equal(
            new PoolVerdict(true, PoolVerdict.Valid, "hands out addresses from 192.0.2.0/24; replaces the pools file's pool of the same name"),
            set.Verdicts["lan"]);
    }

    [Fact]
    public void Build_AnInvalidOrDeletingObject_StillHidesTheSeedOfItsName()
    {
        var invalid = AddressPoolResource.Parse(Json("a", ["not-an-address"]));
        var deleting = Resource("b", ["192.0.2.64/26"], deleting: true);

        var set = PoolSet.Build([Seed("a", "192.0.2.0/26"), Seed("b", "192.0.2.64/26"), Seed("c", "192.0.2.128/26")], [], [invalid, deleting]);

        Assert.Equal(["c"], set.Pools.Select(p => p.Name));
        Assert.Equal(PoolAnnouncement.NotAnnounced("c"), Assert.Single(set.Announcements));
        Assert.Equal(
            new PoolVerdict(false, PoolVerdict.InvalidAddresses, "spec.addresses[0]: invalid range \"not-an-address\": expected two IP addresses as \"first-last\""),
            set.Verdicts["a"]);
        Assert.Equal(PoolVerdict.Deleting, set.Verdicts["b"].Reason);
    }

    [Fact]
    public void Build_ADeletingObject_ServesNothing_AndClaimsNoRange()
    {
        var set = PoolSet.Build([], [],
        [
            Resource("old", ["192.0.2.0/24"], Monday, deleting: true),
            Resource("replacement", ["192.0.2.0/24"], Monday.AddDays(1)),
        ]);

        Assert.Equal(["replacement"], set.Pools.Select(p => p.Name));
        Assert.Equal(new PoolVerdict(false, PoolVerdict.Deleting, "deleted: the pool hands out no new addresses"), set.Verdicts["old"]);
        Assert.True(set.Verdicts["replacement"].IsReady);
    }
}
