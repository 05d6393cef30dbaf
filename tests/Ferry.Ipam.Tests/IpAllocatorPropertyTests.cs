using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.Ipam.Tests;

/// <summary>Random sequences of operations (seeded, so a failure replays) checked against invariants.</summary>
public class IpAllocatorPropertyTests
{
    private static readonly string[] _sharingKeys = ["k1", "k2"];

    private static AddressPool[] Pools() =>
    [
        new("small", [AddressRange.Parse("192.0.2.0/29")]),
        new("tiny", [AddressRange.Parse("198.51.100.1-198.51.100.3")], Namespaces: ["ns1"]),
    ];

    private static AllocationRequest RandomRequest(Random random)
    {
        var owner = new ServiceKey($"ns{random.Next(3)}", $"svc{random.Next(12)}");
        var ports = Enumerable.Range(0, random.Next(1, 3))
            .Select(_ => new ServicePort(random.Next(2) == 0 ? TransportProtocol.Tcp : TransportProtocol.Udp, 50 + random.Next(4)))
            .Distinct()
            .ToArray();
        var requested = random.Next(5) == 0 ? [IPAddress.Parse($"192.0.2.{random.Next(8)}")] : Array.Empty<IPAddress>();
        var sharingKey = random.Next(3) == 0 ? null : _sharingKeys[random.Next(_sharingKeys.Length)];
        var pool = random.Next(4) == 0 ? "tiny" : null;
        return new AllocationRequest(owner, [AddressFamily.InterNetwork], [.. ports], [.. requested], pool, sharingKey);
    }

    private static void AssertInvariants(IpAllocator allocator)
    {
        var all = allocator.Snapshot();
        foreach (var group in all.SelectMany(a => a.Addresses.Select(ip => (ip, a))).GroupBy(x => x.ip))
        {
            var holders = group.Select(x => x.a).ToArray();
            if (holders.Length == 1)
            {
                continue;
            }

            // Shared: everyone has the same non-null key, and no (protocol, port) is used twice.
            Assert.All(holders, h => Assert.NotNull(h.SharingKey));
            Assert.Single(holders.Select(h => h.SharingKey).Distinct());
            var ports = holders.SelectMany(h => h.Ports).ToArray();
            Assert.Equal(ports.Length, ports.Distinct().Count());
        }

        foreach (var allocation in all)
        {
            var pool = allocator.Pools.Single(p => p.Name == allocation.PoolName);
            Assert.All(allocation.Addresses, ip => Assert.True(pool.CanAssign(ip), $"{ip} not assignable from {pool.Name}"));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomOperations_NeverGiveOneAddressToNonSharingServices(int seed)
    {
        var random = new Random(seed);
        var allocator = new IpAllocator(Pools());
        for (var step = 0; step < 2000; step++)
        {
            if (random.Next(3) == 0)
            {
                allocator.Release(new ServiceKey($"ns{random.Next(3)}", $"svc{random.Next(12)}"));
            }
            else
            {
                allocator.Assign(RandomRequest(random));
            }

            AssertInvariants(allocator);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void ReleaseAll_ThenReassign_Converges(int seed)
    {
        var random = new Random(seed);
        var allocator = new IpAllocator(Pools());
        // One request per Service, as the controller has one spec per Service at a time.
        var requests = Enumerable.Range(0, 40).Select(_ => RandomRequest(random)).DistinctBy(r => r.Owner).ToArray();
        foreach (var request in requests)
        {
            allocator.Assign(request);
        }

        foreach (var owner in requests.Select(r => r.Owner).Distinct())
        {
            allocator.Release(owner);
        }

        Assert.Equal(0, allocator.Count);
        foreach (var request in requests)
        {
            allocator.Assign(request);
        }

        AssertInvariants(allocator);
        var firstMap = allocator.Snapshot().ToDictionary(a => a.Owner, a => string.Join(",", a.Addresses));
        foreach (var request in requests)
        {
            allocator.Assign(request);
        }

        Assert.Equal(firstMap, allocator.Snapshot().ToDictionary(a => a.Owner, a => string.Join(",", a.Addresses)));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void Restart_ReplayingCurrentAllocations_YieldsSameMap(int seed)
    {
        var random = new Random(seed);
        var allocator = new IpAllocator(Pools());
        var lastRequest = new Dictionary<ServiceKey, AllocationRequest>();
        for (var step = 0; step < 500; step++)
        {
            var request = RandomRequest(random);
            if (allocator.Assign(request).Succeeded)
            {
                lastRequest[request.Owner] = request;
            }
        }

        var before = allocator.Snapshot().ToDictionary(a => a.Owner, a => string.Join(",", a.Addresses));

        // A restarted controller replays each Service's status addresses, already-assigned first,
        // in an order it does not control: shuffle it.
        var restarted = new IpAllocator(Pools());
        foreach (var allocation in allocator.Snapshot().OrderBy(_ => random.Next()))
        {
            var replay = lastRequest[allocation.Owner] with { RequestedAddresses = allocation.Addresses };
            Assert.True(restarted.Assign(replay).Succeeded);
        }

        Assert.Equal(before, restarted.Snapshot().ToDictionary(a => a.Owner, a => string.Join(",", a.Addresses)));
    }
}
