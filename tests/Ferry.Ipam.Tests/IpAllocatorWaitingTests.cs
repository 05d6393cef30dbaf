using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.Ipam.Tests;

/// <summary>The allocator as the one registry of Services waiting for an address.</summary>
public class IpAllocatorWaitingTests
{
    private static readonly ServiceKey _a = new("default", "a");
    private static readonly ServiceKey _b = new("default", "b");
    private static readonly ServiceKey _c = new("default", "c");

    private static IpAllocator Allocator(string range) => new([new AddressPool("p", [AddressRange.Parse(range)])]);

    private static AllocationRequest Request(ServiceKey owner, string? ip = null, int port = 80, string? sharingKey = null) =>
        new(owner, [AddressFamily.InterNetwork], [new ServicePort(TransportProtocol.Tcp, port)],
            ip is null ? default : ImmutableArray.Create(IPAddress.Parse(ip)), SharingKey: sharingKey);

    [Fact]
    public void Assign_FailsForWantOfAnAddress_OwnerWaitsUntilItSucceeds()
    {
        var allocator = Allocator("192.0.2.1-192.0.2.1");
        Assert.True(allocator.Assign(Request(_a)).Succeeded);

        Assert.Equal(AllocationError.PoolExhausted, allocator.Assign(Request(_b)).Error);
        Assert.True(allocator.IsWaiting(_b));
        Assert.False(allocator.IsWaiting(_a));

        allocator.Release(_a);
        Assert.True(allocator.Assign(Request(_b)).Succeeded);
        Assert.False(allocator.IsWaiting(_b));
    }

    [Fact]
    public void Assign_InvalidRequest_DoesNotWait()
    {
        var allocator = Allocator("192.0.2.1-192.0.2.1");
        Assert.Equal(AllocationError.AddressNotInPool, allocator.Assign(Request(_a, ip: "198.51.100.1")).Error);
        Assert.False(allocator.IsWaiting(_a));
    }

    [Fact]
    public void Assign_MovesOffAnAddress_ReturnsTheWaitersExactlyOnce()
    {
        var allocator = Allocator("192.0.2.1-192.0.2.2");
        Assert.True(allocator.Assign(Request(_a, ip: "192.0.2.1")).Succeeded);
        Assert.Equal(AllocationError.AddressInUse, allocator.Assign(Request(_b, ip: "192.0.2.1")).Error);

        var moved = allocator.Assign(Request(_a, ip: "192.0.2.2"));

        Assert.True(moved.Succeeded);
        Assert.Equal([_b], moved.Retry);
        Assert.Empty(allocator.Release(_a));
        Assert.True(allocator.Assign(Request(_b, ip: "192.0.2.1")).Succeeded);
    }

    [Fact]
    public void Assign_ChangesPortsOnASharedAddress_ReturnsTheWaiters()
    {
        var allocator = Allocator("192.0.2.1-192.0.2.1");
        Assert.True(allocator.Assign(Request(_a, sharingKey: "k")).Succeeded);
        Assert.Equal(AllocationError.PortConflict, allocator.Assign(Request(_b, ip: "192.0.2.1", sharingKey: "k")).Error);

        var changed = allocator.Assign(Request(_a, port: 81, sharingKey: "k"));

        Assert.Equal([_b], changed.Retry);
        Assert.True(allocator.Assign(Request(_b, ip: "192.0.2.1", sharingKey: "k")).Succeeded);
    }

    [Fact]
    public void Assign_Unchanged_ReturnsNoWaiters()
    {
        var allocator = Allocator("192.0.2.1-192.0.2.1");
        Assert.True(allocator.Assign(Request(_a)).Succeeded);
        Assert.False(allocator.Assign(Request(_b)).Succeeded);

        Assert.Empty(allocator.Assign(Request(_a)).Retry);
        Assert.True(allocator.IsWaiting(_b));
    }

    [Fact]
    public void Release_WaiterThatFailsAgain_WaitsAgainAndIsReturnedByTheNextRelease()
    {
        var allocator = Allocator("192.0.2.1-192.0.2.2");
        Assert.True(allocator.Assign(Request(_a)).Succeeded);
        Assert.True(allocator.Assign(Request(_b)).Succeeded);
        Assert.False(allocator.Assign(Request(_c, ip: "192.0.2.2")).Succeeded);

        Assert.Equal([_c], allocator.Release(_a));
        Assert.False(allocator.IsWaiting(_c));
        Assert.False(allocator.Assign(Request(_c, ip: "192.0.2.2")).Succeeded);

        Assert.Equal([_c], allocator.Release(_b));
    }

    [Fact]
    public void Release_OfAWaiter_EndsItsWait()
    {
        var allocator = Allocator("192.0.2.1-192.0.2.1");
        Assert.True(allocator.Assign(Request(_a)).Succeeded);
        Assert.False(allocator.Assign(Request(_b)).Succeeded);

        Assert.Empty(allocator.Release(_b));

        Assert.False(allocator.IsWaiting(_b));
        Assert.Empty(allocator.Release(_a));
    }

    [Fact]
    public void KeepWaiting_WaitersNotPassedOn_AreReturnedByTheNextRelease()
    {
        var allocator = Allocator("192.0.2.1-192.0.2.2");
        Assert.True(allocator.Assign(Request(_a)).Succeeded);
        Assert.True(allocator.Assign(Request(_b)).Succeeded);
        Assert.False(allocator.Assign(Request(_c)).Succeeded);
        var handedBack = allocator.Release(_a);

        allocator.KeepWaiting(handedBack);

        Assert.True(allocator.IsWaiting(_c));
        Assert.Equal([_c], allocator.Release(_b));
    }
}
