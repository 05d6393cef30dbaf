using System.Collections.Immutable;
using System.Globalization;
using System.Net;

namespace Ferry.Membership;

/// <summary>
/// The membership logic without sockets: which peers are known, which alive. A peer is alive while its
/// last accepted heartbeat, or the last vouch for it, is at most the failure timeout old (measured on the
/// monotonic clock of the injected <see cref="TimeProvider"/>, so a wall-clock step changes nothing). A vouch
/// is another peer saying in its heartbeat that it hears this one directly, and how long ago: with it, a
/// replica whose heartbeats do not reach this one (a lossy or filtered path between two nodes) is still seen
/// alive as long as some live peer hears it, so every replica keeps the same live set and the same owners
/// (docs/design/0004-membership.md, "Indirect evidence"). Vouches are never passed on: only direct hearing
/// vouches, so a dead peer cannot be kept alive by peers vouching for each other. Not thread-safe: the owner
/// serializes calls.
/// </summary>
internal sealed class FailureDetector
{
    private static readonly IReadOnlyList<PeerTransition> _none = [];

    private readonly string _localName;
    private readonly TimeSpan _failureTimeout;
    private readonly TimeSpan _forgetAfter;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, Peer> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, Peer> _byHash = [];
    private int _vouchOffset;

    public FailureDetector(string localName, TimeSpan failureTimeout, TimeSpan forgetAfter, TimeProvider timeProvider)
    {
        _localName = localName;
        _failureTimeout = failureTimeout;
        _forgetAfter = forgetAfter;
        _timeProvider = timeProvider;
    }

    /// <summary>Takes in a heartbeat that arrived from <paramref name="source"/>.</summary>
    public HeardResult Heard(HeartbeatDatagram heartbeat, IPEndPoint source)
    {
        if (string.Equals(heartbeat.Name, _localName, StringComparison.Ordinal))
        {
            return new(HeardVerdict.Self, _none);
        }

        var transitions = new List<PeerTransition>();
        if (!_peers.TryGetValue(heartbeat.Name, out var peer))
        {
            if (heartbeat.Leaving)
            {
                return new(HeardVerdict.Accepted, _none); // nothing to learn from a stranger's goodbye
            }

            peer = new Peer(heartbeat.Name, source, discovered: false);
            Add(peer);
            transitions.Add(new(peer.Name, PeerTransitionKind.Learned, source));
        }
        else if (peer.Incarnation is { } current)
        {
            if (heartbeat.Incarnation == current)
            {
                if (peer.Left)
                {
                    // A leaving process repeats its goodbye; anything else from it is older than the goodbye.
                    return new(heartbeat.Leaving ? HeardVerdict.Accepted : HeardVerdict.Stale, _none);
                }

                if (heartbeat.Sequence <= peer.Sequence)
                {
                    return new(HeardVerdict.Stale, _none);
                }
            }
            else if (heartbeat.Incarnation < current && peer.Alive)
            {
                // Incarnations grow with the start time; an older one while the newer lives is a late datagram.
                return new(HeardVerdict.Stale, _none);
            }
            else
            {
                transitions.Add(new(peer.Name, PeerTransitionKind.Restarted, peer.Endpoint,
                    string.Create(CultureInfo.InvariantCulture, $"{current} -> {heartbeat.Incarnation}")));
                peer.Left = false;
            }
        }

        if (!peer.Discovered && !peer.Endpoint.Equals(source))
        {
            peer.Endpoint = source; // a learned peer is answered where it sends from
        }

        var wasAlive = peer.Alive;
        var wasDirect = peer.Direct;
        var now = _timeProvider.GetTimestamp();
        peer.Incarnation = heartbeat.Incarnation;
        peer.Sequence = heartbeat.Sequence;
        peer.LastHeardTimestamp = now;
        peer.LastHeard = _timeProvider.GetUtcNow();
        peer.Direct = !heartbeat.Leaving;
        if (!heartbeat.Leaving && peer.Ready != heartbeat.Ready)
        {
            peer.Ready = heartbeat.Ready;
            transitions.Add(new(peer.Name, PeerTransitionKind.ReadyChanged, peer.Endpoint, heartbeat.Ready ? "ready" : "not ready"));
        }
        if (!peer.Withdrawn.SequenceEqual(heartbeat.Withdrawn.Order()))
        {
            peer.Withdrawn = [.. heartbeat.Withdrawn.Order()];
            transitions.Add(new(peer.Name, PeerTransitionKind.WithdrawnChanged, peer.Endpoint,
                string.Create(CultureInfo.InvariantCulture, $"{peer.Withdrawn.Length} withdrawn")));
        }

        if (!string.Equals(peer.ConfigDigest, heartbeat.ConfigDigest, StringComparison.Ordinal))
        {
            peer.ConfigDigest = heartbeat.ConfigDigest;
            transitions.Add(new(peer.Name, PeerTransitionKind.DigestChanged, peer.Endpoint, heartbeat.ConfigDigest));
        }

        if (heartbeat.Leaving)
        {
            peer.Left = true;
            peer.LeftTimestamp = now;
            peer.Alive = false;
            if (wasAlive)
            {
                transitions.Add(new(peer.Name, PeerTransitionKind.Left, peer.Endpoint));
            }
        }
        else
        {
            peer.Alive = true;
            if (!wasAlive)
            {
                transitions.Add(new(peer.Name, PeerTransitionKind.Alive, peer.Endpoint));
            }
            else if (!wasDirect)
            {
                transitions.Add(new(peer.Name, PeerTransitionKind.Direct, peer.Endpoint));
            }

            Vouched(peer, heartbeat.Vouches, now, transitions);
        }

        return new(HeardVerdict.Accepted, transitions.Count == 0 ? _none : transitions);
    }

    /// <summary>Takes in what <paramref name="voucher"/> hears directly: a known peer heard recently enough counts as alive.</summary>
    private void Vouched(Peer voucher, IReadOnlyList<Vouch> vouches, long now, List<PeerTransition> transitions)
    {
        foreach (var vouch in vouches)
        {
            if (!_byHash.TryGetValue(vouch.PeerHash, out var peer) || ReferenceEquals(peer, voucher))
            {
                continue; // about this replica, an unknown peer (vouches never add one), or the voucher itself
            }

            var age = TimeSpan.FromMilliseconds(vouch.AgeMilliseconds);
            if (age > _failureTimeout)
            {
                continue;
            }

            var heardAt = now - (long)(age.TotalSeconds * _timeProvider.TimestampFrequency);
            if (peer.Left && peer.LeftTimestamp is { } leftAt && heardAt - leftAt <= (long)(_failureTimeout.TotalSeconds * _timeProvider.TimestampFrequency))
            {
                // Heard before (or just around) its goodbye: the voucher has not had the goodbye yet. Only a
                // restarted process, heard well after, comes back through a vouch.
                continue;
            }

            if (peer.LastVouchedTimestamp is { } last && last >= heardAt)
            {
                continue;
            }

            peer.LastVouchedTimestamp = heardAt;
            peer.VouchedBy = voucher.Name;
            if (!peer.Alive)
            {
                peer.Alive = true;
                peer.Left = false;
                peer.Direct = false;
                peer.Ready = vouch.Ready;
                transitions.Add(new(peer.Name, PeerTransitionKind.Indirect, peer.Endpoint, voucher.Name));
            }
            else if (!peer.Direct && peer.Ready != vouch.Ready)
            {
                // Heard only through others: their word on its readiness is the freshest there is.
                peer.Ready = vouch.Ready;
                transitions.Add(new(peer.Name, PeerTransitionKind.ReadyChanged, peer.Endpoint, vouch.Ready ? "ready" : "not ready"));
            }
        }
    }

    /// <summary>
    /// The vouches this replica sends: every peer heard directly within the failure timeout, with how long
    /// ago; with more than <see cref="HeartbeatCodec.MaxVouches"/>, the next ones in turn at each call.
    /// </summary>
    public IReadOnlyList<Vouch> Vouches()
    {
        var heard = new List<Vouch>();
        foreach (var peer in _peers.Values)
        {
            if (peer.Direct && !peer.Left && peer.LastHeardTimestamp is { } at && _timeProvider.GetElapsedTime(at) is var age
                && age <= _failureTimeout && age.TotalMilliseconds <= Vouch.MaxAgeMilliseconds)
            {
                heard.Add(new Vouch(peer.Hash, (ushort)age.TotalMilliseconds, peer.Ready));
            }
        }

        if (heard.Count <= HeartbeatCodec.MaxVouches)
        {
            return heard;
        }

        var start = _vouchOffset % heard.Count;
        _vouchOffset = start + HeartbeatCodec.MaxVouches;
        return [.. Enumerable.Range(start, HeartbeatCodec.MaxVouches).Select(i => heard[i % heard.Count])];
    }

    /// <summary>Declares dead every peer silent past the failure timeout and forgets learned peers silent past forget-after.</summary>
    public IReadOnlyList<PeerTransition> Evaluate()
    {
        List<PeerTransition>? transitions = null;
        List<string>? forgotten = null;
        foreach (var peer in _peers.Values)
        {
            if ((peer.LastHeardTimestamp ?? peer.LastVouchedTimestamp) is null)
            {
                continue;
            }

            var silence = peer.LastHeardTimestamp is { } heard ? _timeProvider.GetElapsedTime(heard) : TimeSpan.MaxValue;
            var vouchedSilence = peer.LastVouchedTimestamp is { } vouched ? _timeProvider.GetElapsedTime(vouched) : TimeSpan.MaxValue;
            if (peer.Alive && silence > _failureTimeout && vouchedSilence > _failureTimeout)
            {
                peer.Alive = false;
                peer.Direct = false;
                (transitions ??= []).Add(new(peer.Name, PeerTransitionKind.Dead, peer.Endpoint,
                    string.Create(CultureInfo.InvariantCulture, $"{Math.Min(silence.TotalMilliseconds, vouchedSilence.TotalMilliseconds):F0} ms")));
            }
            else if (peer.Alive && peer.Direct && silence > _failureTimeout)
            {
                // Still heard by another live peer: alive, but this replica's path from it is broken.
                peer.Direct = false;
                (transitions ??= []).Add(new(peer.Name, PeerTransitionKind.Indirect, peer.Endpoint, peer.VouchedBy));
            }

            if (!peer.Alive && !peer.Discovered && silence > _forgetAfter && vouchedSilence > _forgetAfter)
            {
                (forgotten ??= []).Add(peer.Name);
                (transitions ??= []).Add(new(peer.Name, PeerTransitionKind.Forgotten, peer.Endpoint));
            }
        }

        forgotten?.ForEach(Remove);
        return transitions ?? _none;
    }

    /// <summary>
    /// Replaces the discovered set. A peer that discovery drops stays (as learned) while it is alive; a dead
    /// one goes. A peer named like this replica is ignored.
    /// </summary>
    public IReadOnlyList<PeerTransition> SetDiscovered(IEnumerable<PeerAddress> peers)
    {
        var wanted = new Dictionary<string, PeerAddress>(StringComparer.Ordinal);
        foreach (var address in peers)
        {
            if (!string.Equals(address.Name, _localName, StringComparison.Ordinal))
            {
                wanted[address.Name] = address;
            }
        }

        var transitions = new List<PeerTransition>();
        foreach (var peer in _peers.Values.Where(p => p.Discovered && !wanted.ContainsKey(p.Name)).ToList())
        {
            if (peer.Alive)
            {
                peer.Discovered = false;
                transitions.Add(new(peer.Name, PeerTransitionKind.Undiscovered, peer.Endpoint));
            }
            else
            {
                Remove(peer.Name);
                transitions.Add(new(peer.Name, PeerTransitionKind.Removed, peer.Endpoint));
            }
        }

        foreach (var address in wanted.Values)
        {
            if (!_peers.TryGetValue(address.Name, out var peer))
            {
                Add(new Peer(address.Name, address.Endpoint, discovered: true));
                transitions.Add(new(address.Name, PeerTransitionKind.Discovered, address.Endpoint));
                continue;
            }

            if (!peer.Discovered)
            {
                peer.Discovered = true;
                transitions.Add(new(peer.Name, PeerTransitionKind.Discovered, address.Endpoint));
            }

            if (!peer.Endpoint.Equals(address.Endpoint))
            {
                peer.Endpoint = address.Endpoint;
                transitions.Add(new(peer.Name, PeerTransitionKind.EndpointChanged, address.Endpoint));
            }
        }

        return transitions.Count == 0 ? _none : transitions;
    }

    /// <summary>Where heartbeats go: every known peer, alive or not (a dead one may come back).</summary>
    public IReadOnlyList<PeerAddress> Targets() => [.. _peers.Values.Select(p => new PeerAddress(p.Name, p.Endpoint))];

    /// <summary>How many peers are alive, how many are known, how many are alive only through vouches, and how many alive ones are ready.</summary>
    public (int Alive, int Known, int Indirect, int Ready) Count() =>
        (_peers.Values.Count(p => p.Alive), _peers.Count, _peers.Values.Count(p => p.Alive && !p.Direct), _peers.Values.Count(p => p.Alive && p.Ready));

    /// <summary>The known peers, sorted by name.</summary>
    public ImmutableArray<PeerState> Snapshot() =>
        [.. _peers.Values
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new PeerState(p.Name, p.Endpoint, p.Alive, p.LastHeard, p.ConfigDigest, p.Discovered)
            {
                Incarnation = p.Incarnation,
                HeardDirectly = p.Alive && p.Direct,
                Ready = p.Ready,
                WithdrawnHashes = p.Withdrawn,
            })];

    private void Add(Peer peer)
    {
        _peers.Add(peer.Name, peer);
        _byHash[peer.Hash] = peer;
    }

    private void Remove(string name)
    {
        if (_peers.Remove(name, out var peer) && _byHash.TryGetValue(peer.Hash, out var hashed) && ReferenceEquals(hashed, peer))
        {
            _byHash.Remove(peer.Hash);
        }
    }

    private sealed class Peer(string name, IPEndPoint endpoint, bool discovered)
    {
        public string Name { get; } = name;

        public ulong Hash { get; } = MembershipKeys.Hash(name);

        public IPEndPoint Endpoint { get; set; } = endpoint;

        public bool Discovered { get; set; } = discovered;

        public bool Alive { get; set; }

        public bool Left { get; set; }

        public ulong? Incarnation { get; set; }

        public ulong Sequence { get; set; }

        public long? LastHeardTimestamp { get; set; }

        public DateTimeOffset? LastHeard { get; set; }

        public string? ConfigDigest { get; set; }

        /// <summary>Its last heartbeat (or, heard only through others, their last vouch) said it can own work.</summary>
        public bool Ready { get; set; }

        /// <summary>Alive on its own heartbeats (not only through vouches).</summary>
        public bool Direct { get; set; }

        public long? LeftTimestamp { get; set; }

        public long? LastVouchedTimestamp { get; set; }

        public string? VouchedBy { get; set; }

        public ImmutableArray<ulong> Withdrawn { get; set; } = [];
    }
}
