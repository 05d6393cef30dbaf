using System.Net;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// Consistent hashing of the client IP: a client always reaches the same backend while the set of available
/// backends stays the same, and when one backend leaves (removed or unhealthy) only its clients move.
/// </summary>
/// <remarks>
/// The hash is XXH3 with a fixed seed, so every Ferry instance and restart maps a client the same way.
/// See <see cref="HashRing"/> for why a ring rather than Maglev.
/// </remarks>
public sealed class ClientIpHashPolicy : ILoadBalancingPolicy
{
    private readonly SnapshotCache<HashRing> _ring = new();

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

        var ring = _ring.Get(snapshot, static s => new HashRing(s.Available));
        return available[ring.OwnerOf(ClientAddressKey.Hash(client))];
    }

    /// <summary>Where the client would go if the tried backends were removed, so retries stay consistent.</summary>
    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client, ReadOnlySpan<BackendState> exclude)
    {
        var available = snapshot.Available;
        if (exclude.IsEmpty || available.Count == 0)
        {
            return Pick(snapshot, client);
        }

        var ring = _ring.Get(snapshot, static s => new HashRing(s.Available));
        var owner = ring.OwnerOf(ClientAddressKey.Hash(client), available, exclude);
        return owner < 0 ? null : available[owner];
    }
}
