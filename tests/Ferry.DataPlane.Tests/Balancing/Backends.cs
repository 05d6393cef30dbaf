using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.Balancing;

/// <summary>Builders for backends, snapshots and client addresses used by the policy tests.</summary>
internal static class Backends
{
    public static BackendState Create(int index, int weight = 1) =>
        new(new BackendSpec(IPAddress.Parse($"10.0.{index / 250}.{(index % 250) + 1}"), 30000 + index, weight), BackendHealth.For(null));

    public static BackendState[] Weighted(params int[] weights) =>
        [.. weights.Select((weight, index) => Create(index, weight))];

    public static BackendSnapshot Snapshot(IReadOnlyList<BackendState> backends, long version = 1) => new(backends, false, version);

    /// <summary>Distinct client addresses 100.64.0.0/10 (one per index).</summary>
    public static IPAddress Client(int index) =>
        new(new[] { (byte)100, (byte)(64 + ((index >> 16) & 0x3f)), (byte)(index >> 8), (byte)index });

    /// <summary>Picks <paramref name="count"/> times (client 0) and counts picks per backend.</summary>
    public static Dictionary<BackendState, int> Count(ILoadBalancingPolicy policy, BackendSnapshot snapshot, int count, bool openConnections = false)
    {
        var counts = snapshot.Available.ToDictionary(b => b, _ => 0);
        for (var i = 0; i < count; i++)
        {
            var picked = policy.Pick(snapshot, IPAddress.Loopback) ?? throw new InvalidOperationException("no backend");
            counts[picked]++;
            if (openConnections)
            {
                picked.OnConnectionOpened();
            }
        }

        return counts;
    }
}
