using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ferry.Contracts;
using Ferry.Contracts.Announcement;
using Ferry.Controller.Serving;
using Ferry.Ipam;

namespace Ferry.Controller.Tests.Serving;

public class ServingPlannerTests
{
    private static readonly string[] _three = ["node-a", "node-b", "node-c"];

    private static readonly AnnouncedAddresses _announced = new(
        [Pool("lan", "192.0.2.0/24", "2001:db8::/120"), Pool("routed", "198.51.100.0/24")],
        [new PoolAnnouncement("lan", AnnouncementMode.Layer2, new EquatableArray<string>(["eth1"])), PoolAnnouncement.NotAnnounced("routed")]);

    [Fact]
    public void Plan_EveryAnnouncedAddressHasExactlyOneLiveOwner_AndOthersAreNotPlanned()
    {
        var services = Enumerable.Range(1, 30).Select(i => Served($"svc{i}", null, $"192.0.2.{i}")).Append(Served("routed", null, "198.51.100.7")).ToList();

        var plan = ServingPlanner.Plan(services, _announced, _three, new HashSet<string>(), Hash);

        Assert.Equal(30, plan.Addresses.Count);
        Assert.DoesNotContain(IPAddress.Parse("198.51.100.7"), plan.Addresses.Keys);
        Assert.All(plan.Addresses.Values, a => Assert.Contains(a.Owner, _three));
        Assert.All(plan.Addresses.Values, a => Assert.Equal(["eth1"], a.Interfaces));
        Assert.Equal(30, _three.Sum(r => plan.OwnedBy(r).Count()));
        Assert.All(_three, r => Assert.InRange(plan.OwnedBy(r).Count(), 1, 20));
    }

    [Fact]
    public void Plan_IsTheSameWhateverTheOrderOfReplicasAndServices()
    {
        var services = Enumerable.Range(1, 20).Select(i => Served($"svc{i}", null, $"192.0.2.{i}")).ToList();

        var one = ServingPlanner.Plan(services, _announced, _three, new HashSet<string>(), Hash);
        var other = ServingPlanner.Plan([.. Enumerable.Reverse(services)], _announced, [.. _three.Reverse()], new HashSet<string>(), Hash);

        Assert.All(one.Addresses, a => Assert.Equal(a.Value.Owner, other.OwnerOf(a.Key)));
    }

    [Fact]
    public void Plan_ADeadReplicaOwnsNothing_AndOnlyItsAddressesMove()
    {
        var services = Enumerable.Range(1, 30).Select(i => Served($"svc{i}", null, $"192.0.2.{i}")).ToList();
        var before = ServingPlanner.Plan(services, _announced, _three, new HashSet<string>(), Hash);

        var after = ServingPlanner.Plan(services, _announced, ["node-a", "node-c"], new HashSet<string>(), Hash);

        Assert.Empty(after.OwnedBy("node-b"));
        Assert.All(before.Addresses.Values.Where(a => a.Owner != "node-b"), a => Assert.Equal(a.Owner, after.OwnerOf(a.Address)));
    }

    [Fact]
    public void Plan_ExternalTrafficPolicyLocal_OnlyReplicasWithLocalEndpoints_AndNobodyWhenNone()
    {
        var local = Served("local", ["node-c"], "192.0.2.10");
        var nowhere = Served("nowhere", [], "192.0.2.11");
        var deadOnly = Served("dead-only", ["node-z"], "192.0.2.12");

        var plan = ServingPlanner.Plan([local, nowhere, deadOnly], _announced, _three, new HashSet<string>(), Hash);

        Assert.Equal("node-c", plan.OwnerOf(IPAddress.Parse("192.0.2.10")));
        Assert.Null(plan.OwnerOf(IPAddress.Parse("192.0.2.11")));
        Assert.Null(plan.OwnerOf(IPAddress.Parse("192.0.2.12")));
        Assert.Contains(IPAddress.Parse("192.0.2.11"), plan.Addresses.Keys);
    }

    [Fact]
    public void Plan_SharedAddress_OneOwnerForAllItsServices_EligibleForEvery()
    {
        var tcp = Served("dns-tcp", ["node-a", "node-b"], "192.0.2.53");
        var udp = Served("dns-udp", ["node-b", "node-c"], "192.0.2.53");

        var plan = ServingPlanner.Plan([tcp, udp], _announced, _three, new HashSet<string>(), Hash);

        var assignment = Assert.Single(plan.Addresses.Values);
        Assert.Equal("node-b", assignment.Owner);
        Assert.Equal([tcp.Key, udp.Key], assignment.Services);
        Assert.Equal([IPAddress.Parse("192.0.2.53")], plan.AddressesOf(udp.Key, "node-b"));
    }

    [Fact]
    public void Plan_SharedAddress_NoReplicaEligibleForEvery_FallsBackToThoseEligibleForAny()
    {
        var a = Served("a", ["node-a"], "192.0.2.53");
        var c = Served("c", ["node-c"], "192.0.2.53");

        var plan = ServingPlanner.Plan([a, c], _announced, _three, new HashSet<string>(), Hash);

        Assert.Contains(plan.OwnerOf(IPAddress.Parse("192.0.2.53")), new[] { "node-a", "node-c" });
    }

    [Fact]
    public void Plan_ExcludedNode_NeverOwns()
    {
        var services = Enumerable.Range(1, 30).Select(i => Served($"svc{i}", null, $"192.0.2.{i}")).ToList();

        var plan = ServingPlanner.Plan(services, _announced, _three, new HashSet<string> { "node-a" }, Hash);

        Assert.Empty(plan.OwnedBy("node-a"));
        Assert.All(plan.Addresses.Values, a => Assert.NotNull(a.Owner));
    }

    [Fact]
    public void Plan_IPv6Addresses_AreAnnouncedToo()
    {
        var plan = ServingPlanner.Plan([Served("v6", null, "2001:db8::10")], _announced, _three, new HashSet<string>(), Hash);

        Assert.Contains(plan.OwnerOf(IPAddress.Parse("2001:db8::10")), _three);
    }

    private static ServedService Served(string name, string[]? eligible, params string[] addresses) =>
        new(new ServiceKey("default", name), [.. addresses.Select(IPAddress.Parse)], eligible?.ToHashSet(StringComparer.Ordinal));

    private static AddressPool Pool(string name, params string[] ranges) =>
        new(name, [.. ranges.Select(r => AddressRange.TryParse(r, out var range, out _) ? range! : throw new ArgumentException(r))]);

    /// <summary>Highest random weight over SHA-256, independent of the planner's production hash.</summary>
    private static string? Hash(string key, IReadOnlyCollection<string> candidates) =>
        candidates.MaxBy(c => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key + "\n" + c))), StringComparer.Ordinal);
}
