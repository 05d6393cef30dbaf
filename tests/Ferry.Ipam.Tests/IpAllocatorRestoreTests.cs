using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.Ipam.Tests;

/// <summary>
/// <see cref="IpAllocator.Restore"/> and <see cref="IpAllocator.UpdatePools"/>: a pools change never re-addresses a
/// live Service; the address it holds outside every pool stays its own until it goes or asks for another.
/// </summary>
public class IpAllocatorRestoreTests
{
    private static readonly ImmutableArray<AddressFamily> _v4 = [AddressFamily.InterNetwork];
    private static readonly ImmutableArray<ServicePort> _http = [new(TransportProtocol.Tcp, 80)];

    private static AddressPool Pool(string name, params string[] ranges) => new(name, [.. ranges.Select(AddressRange.Parse)]);

    private static ServiceKey Key(string owner) => ServiceKey.Parse(owner);

    private static AllocationRequest Request(string owner, string? ip = null, string? sharingKey = null, ImmutableArray<ServicePort>? ports = null) =>
        new(Key(owner), _v4, ports ?? _http, ip is null ? default : [IPAddress.Parse(ip)], null, sharingKey);

    [Fact]
    public void Restore_AddressInAPool_NormalAllocation()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        var restored = allocator.Restore(Request("default/a", ip: "192.0.2.9"));
        Assert.True(restored.Succeeded);
        Assert.False(restored.Allocation.IsOutsidePools);
        Assert.Equal("p", restored.Allocation.PoolName);
    }

    [Fact]
    public void Restore_AddressOutsideEveryPool_KeptAndNotGivenToAnotherService()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        var restored = allocator.Restore(Request("default/a", ip: "198.51.100.7"));
        Assert.True(restored.Succeeded, restored.ToString());
        Assert.True(restored.Allocation.IsOutsidePools);
        Assert.Equal([IPAddress.Parse("198.51.100.7")], restored.Allocation.Addresses);

        // Later syncs (no requested address) keep it, ports may change.
        var synced = allocator.Assign(Request("default/a", ports: [new(TransportProtocol.Tcp, 443)]));
        Assert.True(synced.Succeeded);
        Assert.Equal("198.51.100.7", synced.Allocation.Addresses.Single().ToString());
        Assert.True(synced.Allocation.IsOutsidePools);

        // Nobody else gets it, and a new Service still gets a pool address.
        Assert.Equal(AllocationError.AddressInUse, allocator.Restore(Request("default/b", ip: "198.51.100.7")).Error);
        Assert.Equal("192.0.2.1", allocator.Assign(Request("default/c")).Allocation!.Addresses.Single().ToString());
        Assert.Equal(AllocationError.AddressNotInPool, allocator.Assign(Request("default/d", ip: "198.51.100.8")).Error);
    }

    [Fact]
    public void Restore_RequestedAddressAfterPoolsShrank_KeptWhileStillRequested()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/25")]);
        Assert.True(allocator.Restore(Request("default/a", ip: "192.0.2.200")).Allocation!.IsOutsidePools);
        var synced = allocator.Assign(Request("default/a", ip: "192.0.2.200"));
        Assert.True(synced.Succeeded, synced.ToString());
        Assert.Equal("192.0.2.200", synced.Allocation.Addresses.Single().ToString());
    }

    [Fact]
    public void Restore_OutsidePools_ReleasedWhenTheServiceGoes_MovesWhenItAsksForAnotherAddress()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        allocator.Restore(Request("default/a", ip: "198.51.100.7"));
        var moved = allocator.Assign(Request("default/a", ip: "192.0.2.50"));
        Assert.Equal("192.0.2.50", moved.Allocation!.Addresses.Single().ToString());
        Assert.False(moved.Allocation.IsOutsidePools);
        Assert.Empty(allocator.Holders(IPAddress.Parse("198.51.100.7")));

        allocator.Restore(Request("default/b", ip: "198.51.100.7"));
        allocator.Release(Key("default/b"));
        Assert.Empty(allocator.Holders(IPAddress.Parse("198.51.100.7")));
        Assert.Equal(1, allocator.Count);
    }

    [Fact]
    public void Restore_SharedAddressOutsidePools_BothSharersKeepIt()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        Assert.True(allocator.Restore(Request("default/a", ip: "198.51.100.7", sharingKey: "k")).Succeeded);
        Assert.True(allocator.Restore(Request("default/b", ip: "198.51.100.7", sharingKey: "k", ports: [new(TransportProtocol.Tcp, 443)])).Succeeded);
        Assert.Equal(2, allocator.Holders(IPAddress.Parse("198.51.100.7")).Count);
    }

    [Fact]
    public void UpdatePools_ShrunkPool_KeepsTheAddressOutsidePools()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        allocator.Assign(Request("default/a"));
        Assert.Equal([Key("default/a")], allocator.UpdatePools([Pool("q", "203.0.113.0/24")]));
        Assert.True(allocator.Get(Key("default/a"))!.IsOutsidePools);
        var synced = allocator.Assign(Request("default/a"));
        Assert.Equal("192.0.2.1", synced.Allocation!.Addresses.Single().ToString());

        // When a pool holds it again it is an ordinary allocation of that pool.
        allocator.UpdatePools([Pool("r", "192.0.2.0/24")]);
        var back = allocator.Assign(Request("default/a"));
        Assert.Equal("r", back.Allocation!.PoolName);
        Assert.False(back.Allocation.IsOutsidePools);
    }

    [Fact]
    public void Restore_ThePoolTheServiceNamesIsGone_KeptOnLaterSyncs()
    {
        var allocator = new IpAllocator([Pool("p", "192.0.2.0/24")]);
        var request = new AllocationRequest(Key("default/a"), _v4, _http, [IPAddress.Parse("198.51.100.7")], PoolName: "gone");
        Assert.True(allocator.Restore(request).Allocation!.IsOutsidePools);

        var synced = allocator.Assign(request with { RequestedAddresses = default });
        Assert.True(synced.Succeeded, synced.ToString());
        Assert.Equal("198.51.100.7", synced.Allocation.Addresses.Single().ToString());

        // Anyone else naming the missing pool still gets the error.
        Assert.Equal(AllocationError.UnknownPool, allocator.Assign(request with { Owner = Key("default/b"), RequestedAddresses = default }).Error);
    }
}
