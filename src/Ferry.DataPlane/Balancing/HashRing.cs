using System.Net;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// A consistent-hash ring (ketama style) over a snapshot's available backends: each backend owns
/// <see cref="PointsPerWeight"/> × weight points, placed by hashing its address, port and point number.
/// A client goes to the owner of the first point at or after the client's hash.
/// </summary>
/// <remarks>
/// A backend's points depend only on its own identity and weight, never on the other backends or on its
/// position in the list. So removing (or failing) a backend hands only its own arcs to the next points,
/// moving only its clients, and adding a backend takes arcs only for itself: movement is exactly minimal,
/// which Maglev does not guarantee. The cost is memory (12 bytes per point, 160 points per unit of weight)
/// and an O(log points) lookup.
/// </remarks>
internal sealed class HashRing
{
    /// <summary>Points per unit of weight: with 160 (as ketama), equal backends get shares within a few percent.</summary>
    public const int PointsPerWeight = 160;

    private readonly ulong[] _hashes;
    private readonly int[] _owners;

    public HashRing(IReadOnlyList<BackendState> backends)
    {
        var points = new List<(ulong Hash, UInt128 Address, int Port, int Owner)>();
        var seen = new HashSet<IPEndPoint>();
        for (var owner = 0; owner < backends.Count; owner++)
        {
            var endPoint = backends[owner].EndPoint;
            if (!seen.Add(endPoint))
            {
                continue; // the same address:port twice would only double its points
            }

            var address = ClientAddressKey.ToUInt128(endPoint.Address);
            var count = PointsPerWeight * WeightTable.EffectiveWeight(backends[owner]);
            for (var point = 0; point < count; point++)
            {
                points.Add((ClientAddressKey.HashPoint(endPoint, point), address, endPoint.Port, owner));
            }
        }

        // Ties on the hash (rare with 64 bits) break by identity, never by list position, so the ring does
        // not depend on the order of the snapshot.
        points.Sort(static (a, b) =>
        {
            var byHash = a.Hash.CompareTo(b.Hash);
            if (byHash != 0)
            {
                return byHash;
            }

            var byAddress = a.Address.CompareTo(b.Address);
            return byAddress != 0 ? byAddress : a.Port.CompareTo(b.Port);
        });

        _hashes = new ulong[points.Count];
        _owners = new int[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            _hashes[i] = points[i].Hash;
            _owners[i] = points[i].Owner;
        }
    }

    public int PointCount => _hashes.Length;

    /// <summary>The index (into the backend list the ring was built from) owning <paramref name="hash"/>.</summary>
    public int OwnerOf(ulong hash) => _owners[FirstPointAtOrAfter(hash)];

    /// <summary>
    /// The owner of <paramref name="hash"/> on the ring without the <paramref name="excluded"/> backends: the
    /// first point clockwise whose owner is not excluded, which is where the client would go if those backends
    /// were removed. -1 when every backend is excluded.
    /// </summary>
    public int OwnerOf(ulong hash, IReadOnlyList<BackendState> backends, ReadOnlySpan<BackendState> excluded)
    {
        var start = FirstPointAtOrAfter(hash);
        for (var step = 0; step < _hashes.Length; step++)
        {
            var owner = _owners[(start + step) % _hashes.Length];
            if (!Excluded.Contains(excluded, backends[owner]))
            {
                return owner;
            }
        }

        return -1;
    }

    private int FirstPointAtOrAfter(ulong hash)
    {
        var index = Array.BinarySearch(_hashes, hash);
        if (index < 0)
        {
            index = ~index;
        }

        return index == _hashes.Length ? 0 : index;
    }
}
