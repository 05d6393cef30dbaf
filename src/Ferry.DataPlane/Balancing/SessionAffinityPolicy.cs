using System.Collections.Concurrent;
using System.Net;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// <c>sessionAffinity: ClientIP</c> over any policy: a client keeps the backend it was given while it keeps
/// coming back within the timeout, as kube-proxy does.
/// </summary>
/// <remarks>
/// <para>
/// The timeout slides: every pick for a client restarts it (kube-proxy refreshes its "recent" entry on each
/// new connection). When the remembered backend is no longer available (removed, draining or unhealthy), or
/// the entry expired, the inner policy picks again and the new backend is remembered.
/// </para>
/// <para>
/// Backends are remembered by address and port, not by object, so a client stays put across snapshot
/// rebuilds and across backend states re-created for the same endpoint. The table holds at most
/// <c>maxEntries</c> clients; expired entries are swept lazily on the picking thread at most once per
/// sweep interval (and whenever the table is full), so there is no timer or thread per entry. When the table
/// is full of live clients, new clients are still served by the inner policy, just not remembered.
/// </para>
/// </remarks>
public sealed class SessionAffinityPolicy : ILoadBalancingPolicy
{
    /// <summary>The default bound of the table (about 100 MB at worst).</summary>
    public const int DefaultMaxEntries = 1_000_000;

    private static readonly TimeSpan _maxSweepInterval = TimeSpan.FromMinutes(1);

    private readonly ILoadBalancingPolicy _inner;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _sweepInterval;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxEntries;
    private readonly ConcurrentDictionary<UInt128, Entry> _entries = new();
    private readonly SnapshotCache<Dictionary<IPEndPoint, BackendState>> _byEndPoint = new();
    private int _count;
    private int _sweeping;
    private long _lastSweep;

    public SessionAffinityPolicy(ILoadBalancingPolicy inner, TimeSpan timeout, TimeProvider timeProvider, int maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _inner = inner;
        _timeout = timeout;
        _sweepInterval = timeout < _maxSweepInterval ? timeout : _maxSweepInterval;
        _timeProvider = timeProvider;
        _maxEntries = maxEntries;
        _lastSweep = timeProvider.GetTimestamp();
    }

    /// <summary>The number of remembered clients (live or not yet swept).</summary>
    public int Count => Volatile.Read(ref _count);

    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client)
    {
        if (snapshot.Available.Count == 0)
        {
            return null;
        }

        var now = _timeProvider.GetTimestamp();
        if (_timeProvider.GetElapsedTime(Volatile.Read(ref _lastSweep), now) >= _sweepInterval)
        {
            Sweep(now);
        }

        var byEndPoint = _byEndPoint.Get(snapshot, static s => IndexByEndPoint(s.Available));
        var key = ClientAddressKey.ToUInt128(client);
        if (_entries.TryGetValue(key, out var entry))
        {
            if (!IsExpired(entry, now) && byEndPoint.TryGetValue(entry.EndPoint, out var remembered))
            {
                entry.LastSeen = now;
                return remembered;
            }

            var repicked = _inner.Pick(snapshot, client);
            if (repicked is not null)
            {
                entry.Remember(repicked.EndPoint, now);
            }

            return repicked;
        }

        var picked = _inner.Pick(snapshot, client);
        if (picked is null)
        {
            return null;
        }

        if (Volatile.Read(ref _count) >= _maxEntries)
        {
            Sweep(now);
            if (Volatile.Read(ref _count) >= _maxEntries)
            {
                return picked;
            }
        }

        var added = new Entry(picked.EndPoint, now);
        var winner = _entries.GetOrAdd(key, added);
        if (ReferenceEquals(winner, added))
        {
            Interlocked.Increment(ref _count);
            return picked;
        }

        // Another connection of the same client got there first: follow it, so both stick together.
        return byEndPoint.TryGetValue(winner.EndPoint, out var first) ? first : picked;
    }

    /// <summary>
    /// A retry after failed connects: the inner policy picks among the untried backends, and the client is
    /// remembered with the new backend, since its old one just failed.
    /// </summary>
    public BackendState? Pick(BackendSnapshot snapshot, IPAddress client, ReadOnlySpan<BackendState> exclude)
    {
        if (exclude.IsEmpty)
        {
            return Pick(snapshot, client);
        }

        var picked = _inner.Pick(snapshot, client, exclude);
        if (picked is not null && _entries.TryGetValue(ClientAddressKey.ToUInt128(client), out var entry))
        {
            entry.Remember(picked.EndPoint, _timeProvider.GetTimestamp());
        }

        return picked;
    }

    /// <summary>Removes expired entries; one sweep at a time, others skip.</summary>
    internal void Sweep(long now)
    {
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return;
        }

        try
        {
            Volatile.Write(ref _lastSweep, now);
            foreach (var pair in _entries)
            {
                if (IsExpired(pair.Value, now) && _entries.TryRemove(pair))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private bool IsExpired(Entry entry, long now) => _timeProvider.GetElapsedTime(entry.LastSeen, now) > _timeout;

    private static Dictionary<IPEndPoint, BackendState> IndexByEndPoint(IReadOnlyList<BackendState> backends)
    {
        var index = new Dictionary<IPEndPoint, BackendState>(backends.Count);
        foreach (var backend in backends)
        {
            index.TryAdd(backend.EndPoint, backend);
        }

        return index;
    }

    /// <summary>One client's backend; mutated in place so a hit allocates nothing.</summary>
    private sealed class Entry(IPEndPoint endPoint, long lastSeen)
    {
        private IPEndPoint _endPoint = endPoint;
        private long _lastSeen = lastSeen;

        public IPEndPoint EndPoint => Volatile.Read(ref _endPoint);

        public long LastSeen
        {
            get => Volatile.Read(ref _lastSeen);
            set => Volatile.Write(ref _lastSeen, value);
        }

        public void Remember(IPEndPoint endPoint, long now)
        {
            Volatile.Write(ref _endPoint, endPoint);
            LastSeen = now;
        }
    }
}
