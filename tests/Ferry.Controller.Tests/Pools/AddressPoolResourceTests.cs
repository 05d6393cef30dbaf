using System.Text.Json.Nodes;
using Ferry.Contracts.Announcement;
using Ferry.Controller.Pools;
using static Ferry.Controller.Tests.Pools.PoolObjects;

namespace Ferry.Controller.Tests.Pools;

public class AddressPoolResourceTests
{
    [Fact]
    public void Parse_AFullObject_GivesMetadataPoolAndAnnouncement()
    {
        var resource = FromText("""
            {"apiVersion":"ferry.dev/v1alpha1","kind":"AddressPool",
             "metadata":{"name":"lan","generation":7,"creationTimestamp":"2026-03-02T09:00:00Z","finalizers":["ferry.dev/address-pool-protection","other/x"]},
             "spec":{"addresses":["192.0.2.0/24","198.51.100.10-198.51.100.20","2001:db8::/120"],"namespaces":["team-a","team-b"],
                     "autoAssign":false,"includeNetworkAndBroadcast":true,"announce":"l2","interfaces":["eth0","eth1"]},
             "status":{"allocated":3}}
            """);

        Assert.True(resource.IsValid);
        Assert.Empty(resource.Errors);
        Assert.Equal(("lan", 7L, Monday, false), (resource.Name, resource.Generation, resource.CreationTimestamp, resource.IsDeleting));
        Assert.Equal(["ferry.dev/address-pool-protection", "other/x"], resource.Finalizers);
        Assert.True(resource.HasFinalizer);
        Assert.Equal("lan", resource.Pool.Name);
        Assert.Equal(["192.0.2.0/24", "198.51.100.10-198.51.100.20", "2001:db8::/120"], resource.Pool.Ranges.Select(r => r.Text));
        Assert.Equal(["team-a", "team-b"], resource.Pool.Namespaces);
        Assert.Equal((false, true), (resource.Pool.AutoAssign, resource.Pool.IncludeNetworkAndBroadcast));
        Assert.Equal(new PoolAnnouncement("lan", AnnouncementMode.Layer2, new(["eth0", "eth1"])), resource.Announcement);
    }

    [Fact]
    public void Parse_AbsentOptionalFields_TakeTheSchemaDefaults()
    {
        var resource = FromText("""{"metadata":{"name":"plain"},"spec":{"addresses":["192.0.2.0/28"]}}""");

        Assert.True(resource.IsValid);
        Assert.Equal((0L, null, false), (resource.Generation, resource.CreationTimestamp, resource.HasFinalizer));
        Assert.Empty(resource.Finalizers);
        Assert.Equal((true, false), (resource.Pool.AutoAssign, resource.Pool.IncludeNetworkAndBroadcast));
        Assert.True(resource.Pool.AllowsNamespace("anything"));
        Assert.Equal(PoolAnnouncement.NotAnnounced("plain"), resource.Announcement);
    }

    [Fact]
    public void Parse_DeletionTimestamp_MarksItDeleting()
    {
        var resource = Resource("old", ["192.0.2.0/28"], deleting: true);

        Assert.True(resource.IsDeleting);
        Assert.True(resource.IsValid);
    }

    [Fact]
    public void Parse_BadRanges_AreEachReportedWithTheirIndex_AndTheGoodOnesAreStillKnown()
    {
        var resource = AddressPoolResource.Parse(Json("bad", ["192.0.2.0/24", "198.51.100.20-198.51.100.10", "nonsense", "192.0.2.128/25"]));

        Assert.False(resource.IsValid);
        Assert.Null(resource.Pool);
        Assert.Null(resource.Announcement);
        Assert.Equal(
            [
                "spec.addresses[1]: invalid range \"198.51.100.20-198.51.100.10\": the first address is after the last",
                "spec.addresses[2]: invalid CIDR \"nonsense\": expected an address and a prefix length such as 192.0.2.0/24",
                "spec.addresses[3]: 192.0.2.128/25 overlaps 192.0.2.0/24 (spec.addresses[0])",
            ],
            resource.Errors.Select(e => e.ToString()));
        Assert.Equal(["192.0.2.0/24", "192.0.2.128/25"], resource.Ranges.Select(r => r.Text));
    }

    [Theory]
    [InlineData("""{"addresses":[]}""", "spec.addresses: at least one CIDR or range is required")]
    [InlineData("""{"namespaces":["a"]}""", "spec.addresses: required")]
    [InlineData("""{"addresses":"192.0.2.0/24"}""", "spec.addresses: must be a list")]
    [InlineData("""{"addresses":[""]}""", "spec.addresses[0]: must be a non-empty string")]
    [InlineData("""{"addresses":["192.0.2.0/24"],"namespaces":["ok",3]}""", "spec.namespaces[1]: must be a non-empty string")]
    [InlineData("""{"addresses":["192.0.2.0/24"],"autoAssign":"yes"}""", "spec.autoAssign: must be true or false")]
    [InlineData("""{"addresses":["192.0.2.0/24"],"announce":"bgp"}""", "spec.announce: unsupported value \"bgp\": supported values: \"none\", \"l2\"")]
    [InlineData("""{"addresses":["192.0.2.0/24"],"interfaces":["eth0"]}""", "spec.interfaces: only a pool with \"announce: l2\" is announced on interfaces")]
    [InlineData("""{"addresses":["192.0.2.0/24"],"announce":"l2","interfaces":["eth0","eth0"]}""", "spec.interfaces[1]: interface \"eth0\" is listed twice")]
    [InlineData("""{"addresses":["192.0.2.0/24"],"announce":"l2","interfaces":["a-name-far-too-long"]}""", "spec.interfaces[0]: \"a-name-far-too-long\" is not an interface name (at most 15 characters, no '/', ':' or spaces)")]
    public void Parse_ASpecError_IsReportedWithItsPath(string spec, string error)
    {
        var resource = AddressPoolResource.Parse(Json("p", [], spec: JsonNode.Parse(spec)!.AsObject()));

        Assert.False(resource.IsValid);
        Assert.Equal([error], resource.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_NoSpecAndNoName_AreErrors()
    {
        var resource = FromText("""{"metadata":{}}""");

        Assert.Equal(["metadata.name: required", "spec: required"], resource.Errors.Select(e => e.ToString()));
    }
}
