using System.Net;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// Power of two choices: draws two different backends at random (weighted) and keeps the one with fewer
/// active connections per unit of weight.
/// </summary>
/// <remarks>
/// Nearly as even as least connections, but O(1) per pick and without the herd effect where every
/// concurrent pick lands on the same momentarily least-loaded backend.
/// </remarks>
public sealed class PowerOfTwoPolicy : ILoadBalancingPolicy
{
    private readonly Random _random;
    private readonly SnapshotCache<WeightTable> _weights = new();

    public PowerOfTwoPolicy(IRandomFactory randomFactory) => _random = randomFactory.CreateRandomInstance();

    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client)
    {
        var available = snapshot.Available;
        switch (available.Count)
        {
            case 0:
                return null;
            case 1:
                return available[0];
        }

        var table = _weights.Get(snapshot, static s => new WeightTable(s));
        var first = table.Pick(_random);
        var second = table.PickOther(_random, first);
        return LoadComparison.IsLessLoaded(available[second], available[first]) ? available[second] : available[first];
    }
}
