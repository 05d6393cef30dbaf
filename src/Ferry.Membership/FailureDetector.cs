using System.Collections.Immutable;
using System.Globalization;
using System.Net;

namespace Ferry.Membership;

/// <summary>
/// The membership logic without sockets: which peers are known, which alive. A peer is alive while its
/// last accepted heartbeat is at most the failure timeout old (measured on the monotonic clock of the
/// injected <see cref="TimeProvider"/>, so a wall-clock step changes nothing). Not thread-safe: the owner
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
            _peers.Add(peer.Name, peer);
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
        peer.Incarnation = heartbeat.Incarnation;
        peer.Sequence = heartbeat.Sequence;
        peer.LastHeardTimestamp = _timeProvider.GetTimestamp();
        peer.LastHeard = _timeProvider.GetUtcNow();
        if (!string.Equals(peer.ConfigDigest, heartbeat.ConfigDigest, StringComparison.Ordinal))
        {
            peer.ConfigDigest = heartbeat.ConfigDigest;
            transitions.Add(new(peer.Name, PeerTransitionKind.DigestChanged, peer.Endpoint, heartbeat.ConfigDigest));
        }

        if (heartbeat.Leaving)
        {
            peer.Left = true;
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
        }

        return new(HeardVerdict.Accepted, transitions.Count == 0 ? _none : transitions);
    }

    /// <summary>Declares dead every peer silent past the failure timeout and forgets learned peers silent past forget-after.</summary>
    public IReadOnlyList<PeerTransition> Evaluate()
    {
        List<PeerTransition>? transitions = null;
        List<string>? forgotten = null;
        foreach (var peer in _peers.Values)
        {
            if (peer.LastHeardTimestamp is not { } heard)
            {
                continue;
            }

            var silence = _timeProvider.GetElapsedTime(heard);
            if (peer.Alive && silence > _failureTimeout)
            {
                peer.Alive = false;
                (transitions ??= []).Add(new(peer.Name, PeerTransitionKind.Dead, peer.Endpoint,
                    string.Create(CultureInfo.InvariantCulture, $"{silence.TotalMilliseconds:F0} ms")));
            }

            if (!peer.Alive && !peer.Discovered && silence > _forgetAfter)
            {
                (forgotten ??= []).Add(peer.Name);
                (transitions ??= []).Add(new(peer.Name, PeerTransitionKind.Forgotten, peer.Endpoint));
            }
        }

        forgotten?.ForEach(name => _peers.Remove(name));
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
                _peers.Remove(peer.Name);
                transitions.Add(new(peer.Name, PeerTransitionKind.Removed, peer.Endpoint));
            }
        }

        foreach (var address in wanted.Values)
        {
            if (!_peers.TryGetValue(address.Name, out var peer))
            {
                _peers.Add(address.Name, new Peer(address.Name, address.Endpoint, discovered: true));
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

    /// <summary>How many peers are alive and how many are known.</summary>
    public (int Alive, int Known) Count() => (_peers.Values.Count(p => p.Alive), _peers.Count);

    /// <summary>The known peers, sorted by name.</summary>
    public ImmutableArray<PeerState> Snapshot() =>
        [.. _peers.Values
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new PeerState(p.Name, p.Endpoint, p.Alive, p.LastHeard, p.ConfigDigest, p.Discovered) { Incarnation = p.Incarnation })];

    private sealed class Peer(string name, IPEndPoint endpoint, bool discovered)
    {
        public string Name { get; } = name;

        public IPEndPoint Endpoint { get; set; } = endpoint;

        public bool Discovered { get; set; } = discovered;

        public bool Alive { get; set; }

        public bool Left { get; set; }

        public ulong? Incarnation { get; set; }

        public ulong Sequence { get; set; }

        public long? LastHeardTimestamp { get; set; }

        public DateTimeOffset? LastHeard { get; set; }

        public string? ConfigDigest { get; set; }
    }
}
