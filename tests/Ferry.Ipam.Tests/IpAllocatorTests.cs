using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.Ipam.Tests;

public class IpAllocatorTests
{
    private static readonly ImmutableArray<AddressFamily> _v4 = [AddressFamily.InterNetwork];
    private static readonly ImmutableArray<ServicePort> _http = [new(TransportProtocol.Tcp, 80)];

    private static AddressPool Pool(string name, params string[] ranges) => new(name, [.. ranges.Select(AddressRange.Parse)]);

    private static ServiceKey Key(string owner) => ServiceKey.Parse(owner);

    private static AllocationRequest Request(string owner, ImmutableArray<ServicePort>? ports = null, string? ip = null, string? pool = null, string? sharingKey = null) =>
        new(Key(owner), _v4, ports ?? _http, ip is null ? default : [IPAddress.Parse(ip)], pool, sharingKey);

    private static string Assigned(AllocationResult result)
    {
        Assert.True(result.Succeeded, result.ToString());
        return string.Join(",", result.Allocation.Addresses);
    }

    [Fact]
    public void Assign_Cidr_SkipsNetworkAndBroadcast()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/30")]);
        Assert.Equal("192.0.2.1", Assigned(allocator.Assign(Request("default/a"))));
        Assert.Equal("192.0.2.2", Assigned(allocator.Assign(Request("default/b"))));
        var third = allocator.Assign(Request("default/c"));
        Assert.Equal(AllocationError.PoolExhausted, third.Error);
        Assert.Contains("has a free IPv4 address", third.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assign_CidrWithNetworkAndBroadcastAllowed_UsesThem()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/31") with { IncludeNetworkAndBroadcast = true }]);
        Assert.Equal("192.0.2.0", Assigned(allocator.Assign(Request("default/a"))));
        Assert.Equal("192.0.2.1", Assigned(allocator.Assign(Request("default/b"))));
    }

    [Fact]
    public void Assign_Range_UsesEveryAddress()
    {
        var allocator = new IpAllocator([Pool("p", "198.51.100.0-198.51.100.1")]);
        Assert.Equal("198.51.100.0", Assigned(allocator.Assign(Request("default/a"))));
        Assert.Equal("198.51.100.1", Assigned(allocator.Assign(Request("default/b"))));
    }

    [Fact]
    public void Assign_SameOwnerTwice_IsIdempotent()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        var first = Assigned(allocator.Assign(Request("default/a")));
        Assert.Equal(first, Assigned(allocator.Assign(Request("default/a"))));
        Assert.Equal(1, allocator.Count);
    }

    [Fact]
    public void Assign_RequestedAddressInUse_FailsAndKeepsHolder()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        Assigned(allocator.Assign(Request("default/a", ip: "192.0.2.9")));
        var result = allocator.Assign(Request("default/b", ip: "192.0.2.9"));
        Assert.Equal(AllocationError.AddressInUse, result.Error);
        Assert.Equal("address 192.0.2.9 is already in use by default/a", result.Message);
        Assert.Equal([Key("default/a")], allocator.Holders(IPAddress.Parse("192.0.2.9")));
    }

    [Fact]
    public void Assign_RequestedAddressOutsidePools_Fails()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        var result = allocator.Assign(Request("default/a", ip: "203.0.113.1"));
        Assert.Equal(AllocationError.AddressNotInPool, result.Error);
        var broadcast = allocator.Assign(Request("default/a", ip: "192.0.2.255"));
        Assert.Equal(AllocationError.AddressNotInPool, broadcast.Error);
    }

    [Fact]
    public void Assign_ChangedRequestThatFails_KeepsOldAddress()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        Assigned(allocator.Assign(Request("default/a", ip: "192.0.2.5")));
        Assigned(allocator.Assign(Request("default/b", ip: "192.0.2.6")));

        var moved = allocator.Assign(Request("default/a", ip: "192.0.2.6"));

        Assert.Equal(AllocationError.AddressInUse, moved.Error);
        Assert.Equal("192.0.2.5", string.Join(",", allocator.Get(Key("default/a"))!.Addresses));
    }

    [Fact]
    public void Assign_ChangedRequestThatFits_MovesAndFreesOld()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        Assigned(allocator.Assign(Request("default/a", ip: "192.0.2.5")));
        Assert.Equal("192.0.2.7", Assigned(allocator.Assign(Request("default/a", ip: "192.0.2.7"))));
        Assert.Empty(allocator.Holders(IPAddress.Parse("192.0.2.5")));
    }

    [Fact]
    public void Assign_NamedPool_TakesFromIt()
    {
        var allocator = new IpAllocator([Pool("a", "192.0.2.0/24"), Pool("b", "198.51.100.0/24")]);
        Assert.Equal("198.51.100.1", Assigned(allocator.Assign(Request("default/x", pool: "b"))));
        Assert.Equal(AllocationError.UnknownPool, allocator.Assign(Request("default/y", pool: "c")).Error);
    }

    [Fact]
    public void Assign_PoolLimitedToNamespaces_RefusesOthers()
    {
        var limited = Pool("team", "192.0.2.0/24") with { Namespaces = ["team-a"] };
        var allocator = new IpAllocator([limited]);
        Assert.Equal(AllocationError.NamespaceNotAllowed, allocator.Assign(Request("other/x", pool: "team")).Error);
        Assert.Equal(AllocationError.NoPool, allocator.Assign(Request("other/x")).Error);
        Assert.Equal("192.0.2.1", Assigned(allocator.Assign(Request("team-a/x"))));
    }

    [Fact]
    public void Assign_NotAutoAssignPool_OnlyWhenNamedOrRequested()
    {
        var manual = Pool("manual", "192.0.2.0/24") with { AutoAssign = false };
        var allocator = new IpAllocator([manual]);
        Assert.Equal(AllocationError.NoPool, allocator.Assign(Request("default/a")).Error);
        Assert.Equal("192.0.2.1", Assigned(allocator.Assign(Request("default/a", pool: "manual"))));
        Assert.Equal("192.0.2.9", Assigned(allocator.Assign(Request("default/b", ip: "192.0.2.9"))));
    }

    [Fact]
    public void Assign_SharingKeyDisjointPorts_SharesAddress()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        var dns = Assigned(allocator.Assign(Request("default/dns-tcp", [new(TransportProtocol.Tcp, 53)], sharingKey: "dns")));
        var udp = Assigned(allocator.Assign(Request("default/dns-udp", [new(TransportProtocol.Udp, 53)], sharingKey: "dns")));
        Assert.Equal(dns, udp);
        Assert.Equal(2, allocator.Holders(IPAddress.Parse(dns)).Count);
    }

    [Fact]
    public void Assign_SharingKeyCollidingPorts_TakesAnotherAddress()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        var first = Assigned(allocator.Assign(Request("default/a", sharingKey: "k")));
        var second = Assigned(allocator.Assign(Request("default/b", sharingKey: "k")));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Assign_RequestedSharedAddressWithCollidingPort_IsPortConflict()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        Assigned(allocator.Assign(Request("default/a", ip: "192.0.2.3", sharingKey: "k")));
        var result = allocator.Assign(Request("default/b", ip: "192.0.2.3", sharingKey: "k"));
        Assert.Equal(AllocationError.PortConflict, result.Error);
        Assert.Contains("80/TCP", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assign_DifferentSharingKeys_DoNotShare()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        Assigned(allocator.Assign(Request("default/a", ip: "192.0.2.3", sharingKey: "k1")));
        var result = allocator.Assign(Request("default/b", [new(TransportProtocol.Udp, 9)], ip: "192.0.2.3", sharingKey: "k2"));
        Assert.Equal(AllocationError.AddressInUse, result.Error);
    }

    [Fact]
    public void Assign_DualStack_OneAddressPerFamilyFromOnePool()
    {
        var allocator = new IpAllocator([Pool("v4only", "198.51.100.0/24"), Pool("dual", "192.0.2.0/24", "2001:db8::/120")]);
        var request = new AllocationRequest(Key("default/a"), [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6], _http);
        Assert.Equal("192.0.2.1,2001:db8::", Assigned(allocator.Assign(request)));
    }

    [Fact]
    public void Assign_InvalidRequests_AreExplained()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        Assert.Equal(AllocationError.InvalidRequest, allocator.Assign(new AllocationRequest(Key("default/a"), [], _http)).Error);
        var wrongFamily = allocator.Assign(Request("default/a", ip: "2001:db8::1"));
        Assert.Equal(AllocationError.InvalidRequest, wrongFamily.Error);
        Assert.Contains("not of a requested IP family", wrongFamily.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_WithWaiters_ReturnsThemOnceAndFreedAddressIsReused()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.1-192.0.2.1")]);
        Assigned(allocator.Assign(Request("default/a")));
        Assert.Equal(AllocationError.PoolExhausted, allocator.Assign(Request("default/b")).Error);
        Assert.Equal(AllocationError.AddressInUse, allocator.Assign(Request("default/c", ip: "192.0.2.1")).Error);

        var retry = allocator.Release(Key("default/a"));

        Assert.Equal(["default/b", "default/c"], retry.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal("192.0.2.1", Assigned(allocator.Assign(Request("default/b"))));
        Assert.Empty(allocator.Release(Key("default/unknown")));
    }

    [Fact]
    public void UpdatePools_ShrunkPool_ReportsOwnersOutside()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        Assigned(allocator.Assign(Request("default/a", ip: "192.0.2.200")));
        Assigned(allocator.Assign(Request("default/b", ip: "192.0.2.2")));
        Assert.Equal([Key("default/a")], allocator.UpdatePools([Pool("p", "192.0.2.0/25")]));
    }
}
