using System.Net;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>Picks a backend at random, with probability proportional to its weight.</summary>
public sealed class RandomPolicy : ILoadBalancingPolicy
{
    private readonly Random _random;
    private readonly SnapshotCache<WeightTable> _weights = new();

    public RandomPolicy(IRandomFactory randomFactory) => _random = randomFactory.CreateRandomInstance();

    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client)
    {
        var available = snapshot.Available;
        if (available.Count == 0)
        {
            return null;
        }

        var table = _weights.Get(snapshot, static s => new WeightTable(s));
        return available[table.Pick(_random)];
    }
}
