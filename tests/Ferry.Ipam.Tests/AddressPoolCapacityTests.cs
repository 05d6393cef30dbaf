using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.Ipam.Tests;

/// <summary>How many addresses a pool can hand out, as <c>ferry status</c> reports it.</summary>
public sealed class AddressPoolCapacityTests
{
    private static AddressPool Pool(bool includeNetworkAndBroadcast, params string[] ranges) =>
        new("p", [.. ranges.Select(AddressRange.Parse)], IncludeNetworkAndBroadcast: includeNetworkAndBroadcast);

    [Theory]
    [InlineData(false, 14, "192.0.2.0/28")]
    [InlineData(true, 16, "192.0.2.0/28")]
    [InlineData(false, 50, "192.0.2.100-192.0.2.149")]
    [InlineData(false, 2, "192.0.2.0/31")]
    [InlineData(false, 1, "192.0.2.7/32")]
    [InlineData(false, 256, "2001:db8::/120")]
    [InlineData(false, 50, "192.0.2.0/28", "198.51.100.0/27", "203.0.113.0/29")]
    public void Capacity_CountsAssignableAddresses(bool includeNetworkAndBroadcast, long expected, params string[] ranges) =>
        Assert.Equal((UInt128)expected, Pool(includeNetworkAndBroadcast, ranges).Capacity);

    [Fact]
    public void Capacity_OfHugeIpv6Pools_Saturates() =>
        Assert.Equal(UInt128.MaxValue, Pool(false, "::/0", "2001:db8::/32").Capacity);

    [Fact]
    public void Capacity_MatchesWhatTheAllocatorHandsOut()
    {
        var allocator = new IpAllocator([Pool(false, "192.0.2.0/29")]);
        var given = 0;
        while (given < 100 && allocator.Assign(new AllocationRequest(new ServiceKey("default", $"s{given}"), [AddressFamily.InterNetwork], [])).Succeeded)
        {
            given++;
        }

        Assert.Equal((UInt128)given, allocator.Pools[0].Capacity);
    }

    [Theory]
    [InlineData(254, "192.0.2.0/24")]
    [InlineData(508, "198.51.0.0/23")]
    [InlineData(264, "192.0.2.250-192.0.4.5")]
    [InlineData(3, "192.0.2.254-192.0.3.2")]
    [InlineData(256, "2001:db8::/120")]
    public void AvoidBuggyIps_NeverHandsOutDotZeroOrDot255_AndCapacityCountsTheRest(long expected, string range)
    {
        var pool = new AddressPool("p", [AddressRange.Parse(range)], AvoidBuggyIps: true);

        Assert.Equal((UInt128)expected, pool.Capacity);
        var allocator = new IpAllocator([pool]);
        var handed = new List<System.Net.IPAddress>();
        for (var i = 0; i < expected + 1; i++)
        {
            var result = allocator.Assign(new AllocationRequest(new ServiceKey("default", "s" + i), [AddressRange.Parse(range).Family], []));
            if (!result.Succeeded)
            {
                break;
            }

            handed.AddRange(result.Allocation!.Addresses);
        }

        Assert.Equal(expected, handed.Count);
        Assert.DoesNotContain(handed, a => a.AddressFamily == AddressFamily.InterNetwork && a.GetAddressBytes()[3] is 0 or 255);
    }
}
