using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Ferry.Membership;

/// <summary>
/// Which Ferry replicas are alive, from UDP heartbeats exchanged directly between them
/// (docs/design/0004-membership.md). Peers come from discovery (<see cref="SetPeers"/>) and from
/// heartbeats of senders not yet discovered. Nothing here needs the API server: while it is away,
/// heartbeats go on between the known peers.
/// </summary>
public sealed partial class HeartbeatMembership : IAsyncDisposable
{
    private const int LeaveRepeats = 3;

    private readonly MembershipOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HeartbeatMembership> _logger;
    private readonly FailureDetector _detector;
    private readonly MembershipMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly LogThrottle _dropLog;
    private readonly LogThrottle _sendLog;
    private readonly HashSet<string> _unreachableLogged = new(StringComparer.Ordinal);
    private Socket? _socket;
    private Task[] _loops = [];
    private long _sequence;
    private IReadOnlyList<ulong> _withdrawn = [];
    private long? _startedAt;
    private long? _firstPeersAt;
    private bool _settled;
    private int _left;
    private int _ready;
    private int _disposed;

    /// <param name="options">Checked here: invalid options throw <see cref="ArgumentException"/> listing every problem.</param>
    /// <param name="meterFactory">Owns the <c>Ferry.Membership</c> meter; null records into a private meter.</param>
    public HeartbeatMembership(MembershipOptions options, TimeProvider timeProvider, ILogger<HeartbeatMembership> logger, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid membership options: " + string.Join("; ", problems), nameof(options));
        }

        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _detector = new FailureDetector(options.LocalName, options.FailureTimeout, options.ForgetAfter, timeProvider);
        _metrics = new MembershipMetrics(meterFactory, () => { lock (_gate) { return _detector.Count(); } });
        _dropLog = new LogThrottle(timeProvider, TimeSpan.FromMinutes(1));
        _sendLog = new LogThrottle(timeProvider, TimeSpan.FromMinutes(1));

        // The start time in microseconds: a restarted process has a larger incarnation than its predecessor
        // (peers order them), and no randomness is needed. The low byte tells apart processes started in the same microsecond.
        var startMicroseconds = (ulong)(timeProvider.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        Incarnation = (startMicroseconds << 8) | (byte)Environment.ProcessId;
    }

    /// <summary>Raised (never on the receive loop, one call at a time, each handler on its own: one that throws is logged and the others still run) when the live set, a peer's digest, endpoint or incarnation, the peer set or <see cref="MembershipView.Settled"/> changes; not on routine heartbeats.</summary>
    public event Action<MembershipView>? Changed;

    /// <summary>The bound endpoint (the actual port when <see cref="MembershipOptions.Listen"/> asked for port 0).</summary>
    public IPEndPoint LocalEndpoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary>The membership now.</summary>
    public MembershipView Current
    {
        get
        {
            ImmutableArray<PeerState> peers;
            lock (_gate)
            {
                peers = _detector.Snapshot();
            }

            var live = peers.Where(p => p.Alive).Select(p => p.Name);
            var candidates = peers.Where(p => p.Alive && p.Ready).Select(p => p.Name);
            if (Volatile.Read(ref _left) == 0)
            {
                live = live.Append(_options.LocalName);
                if (Volatile.Read(ref _ready) != 0)
                {
                    candidates = candidates.Append(_options.LocalName);
                }
            }

            return new MembershipView([.. live.Order(StringComparer.Ordinal)], peers)
            {
                Settled = IsSettled(),
                Candidates = [.. candidates.Order(StringComparer.Ordinal)],
            };
        }
    }

    /// <summary>This process's incarnation, sent in every heartbeat.</summary>
    internal ulong Incarnation { get; }

    /// <summary>For tests: the instruments' meter.</summary>
    internal Meter Meter => _metrics.Meter;

    /// <summary>Binds the socket and starts heartbeats; throws <see cref="InvalidOperationException"/> if the endpoint cannot be bound (e.g. the port is taken).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_socket is not null)
        {
            throw new InvalidOperationException("The membership is already started.");
        }

        var listen = _options.Listen;
        var socket = new Socket(listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (listen.AddressFamily == AddressFamily.InterNetworkV6 && listen.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(listen);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var why = e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? "the port is already in use (another Ferry replica on this node, or another program); choose another membership port"
                : e.Message;
            throw new InvalidOperationException($"The membership cannot listen on UDP {listen}: {why}", e);
        }

        _socket = socket;
        LocalEndpoint = (IPEndPoint)socket.LocalEndPoint!;
        lock (_gate)
        {
            _startedAt = _timeProvider.GetTimestamp();
        }

        var token = _stopping.Token;
        var initial = Current; // taken before any datagram, so the first change is reported, not absorbed
        _loops =
        [
            Task.Run(() => NotifyLoopAsync(initial, token), CancellationToken.None),
            Task.Run(() => ReceiveLoopAsync(socket, token), CancellationToken.None),
            Task.Run(() => SendLoopAsync(token), CancellationToken.None),
            Task.Run(() => EvaluateLoopAsync(token), CancellationToken.None),
        ];
        MembershipLog.Started(_logger, _options.LocalName, LocalEndpoint, _options.HeartbeatInterval.TotalMilliseconds, _options.FailureTimeout.TotalMilliseconds, _options.SharedKey is not null);
        return Task.CompletedTask;
    }

    /// <summary>Replaces the discovered peers (a peer named like this replica is ignored). Cheap when nothing changed: call it on every discovery update.</summary>
    public void SetPeers(IReadOnlyCollection<PeerAddress> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        IReadOnlyList<PeerTransition> transitions;
        lock (_gate)
        {
            transitions = _detector.SetDiscovered(peers);
            _firstPeersAt ??= _timeProvider.GetTimestamp();
        }

        foreach (var peer in peers)
        {
            if (!CanReach(peer.Endpoint) && AddUnreachable(peer.Name))
            {
                MembershipLog.UnreachableFamily(_logger, peer.Name, peer.Endpoint, _options.Listen);
            }
        }

        Report(transitions);
    }

    /// <summary>
    /// Tells the peers this replica is going (a leaving datagram, sent a few times against loss), stops the
    /// heartbeats, and takes this replica out of <see cref="MembershipView.Live"/>. Peers mark it dead on
    /// receipt, without waiting for the failure timeout.
    /// </summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (_socket is null || Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _left, 1) != 0)
        {
            return;
        }

        // Our own Changed first (this replica no longer in Live, so the caller releases its addresses), then the goodbye.
        _changes.Writer.TryWrite(true);
        var buffer = new byte[HeartbeatCodec.MaxSize];
        var spacing = _options.HeartbeatInterval / 5;
        for (var i = 0; i < LeaveRepeats; i++)
        {
            if (i > 0)
            {
                await Task.Delay(spacing, _timeProvider, cancellationToken).ConfigureAwait(false);
            }

            await SendAsync(leaving: true, buffer, cancellationToken).ConfigureAwait(false);
        }

        MembershipLog.Left(_logger, _options.LocalName);
    }

    /// <summary>Stops at once, without telling the peers (they notice after the failure timeout); call <see cref="LeaveAsync"/> first for a clean stop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _changes.Writer.TryComplete();
        _socket?.Dispose();
        foreach (var loop in _loops)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        }

        _stopping.Dispose();
        _metrics.Dispose();
    }

    private async Task ReceiveLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[HeartbeatCodec.MaxSize + 1];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // E.g. an ICMP error reported on the socket; the next datagram is unaffected.
                MembershipLog.ReceiveFailed(_logger, e.Message);
                continue;
            }

            var source = (IPEndPoint)result.RemoteEndPoint;
            if (source.Address.IsIPv4MappedToIPv6)
            {
                source = new IPEndPoint(source.Address.MapToIPv4(), source.Port);
            }

            Handle(buffer.AsSpan(0, result.ReceivedBytes), source);
        }
    }

    private void Handle(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        if (datagram.Length > HeartbeatCodec.MaxSize)
        {
            Drop(source, DropReason.Malformed);
            return;
        }

        if (HeartbeatCodec.TryDecode(datagram, _options.SharedKey, out var heartbeat) is { } reason)
        {
            Drop(source, reason);
            return;
        }

        HeardResult result;
        lock (_gate)
        {
            result = _detector.Heard(heartbeat!, source);
        }

        switch (result.Verdict)
        {
            case HeardVerdict.Self when heartbeat!.Incarnation != Incarnation:
                Drop(source, DropReason.DuplicateName);
                return;
            case HeardVerdict.Self:
                return; // our own datagram, looped back
            case HeardVerdict.Stale:
                Drop(source, DropReason.Stale);
                return;
            default:
                _metrics.HeartbeatReceived();
                Report(result.Transitions);
                return;
        }
    }

    private void Drop(IPEndPoint source, DropReason reason)
    {
        _metrics.DatagramDropped(reason);
        var label = MembershipMetrics.Label(reason);
        // Reordering is normal on a busy network: stale datagrams are counted, not logged.
        if (reason != DropReason.Stale && _dropLog.ShouldLog($"{source.Address}/{label}"))
        {
            MembershipLog.DatagramDropped(_logger, source, label);
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[HeartbeatCodec.MaxSize];
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _timeProvider);
        try
        {
            do
            {
                if (Volatile.Read(ref _left) != 0)
                {
                    return;
                }

                await SendAsync(leaving: false, buffer, cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task SendAsync(bool leaving, byte[] buffer, CancellationToken cancellationToken)
    {
        var socket = _socket!;
        IReadOnlyList<PeerAddress> targets;
        IReadOnlyList<Vouch> vouches;
        lock (_gate)
        {
            targets = _detector.Targets();
            vouches = leaving ? [] : _detector.Vouches();
        }

        if (targets.Count == 0)
        {
            return;
        }

        var heartbeat = new HeartbeatDatagram(_options.LocalName, Incarnation, (ulong)Interlocked.Increment(ref _sequence), _options.ConfigDigest, leaving)
        {
            Vouches = vouches,
            Withdrawn = leaving ? [] : Volatile.Read(ref _withdrawn),
            Ready = !leaving && Volatile.Read(ref _ready) != 0,
        };
        var length = HeartbeatCodec.Encode(heartbeat, _options.SharedKey, buffer);
        foreach (var target in targets)
        {
            if (!CanReach(target.Endpoint))
            {
                continue;
            }

            try
            {
                await socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, target.Endpoint, cancellationToken).ConfigureAwait(false);
                _metrics.HeartbeatSent();
            }
            catch (SocketException e)
            {
                if (_sendLog.ShouldLog(target.Name))
                {
                    MembershipLog.SendFailed(_logger, target.Name, target.Endpoint, e.Message);
                }
            }
        }
    }

    private async Task EvaluateLoopAsync(CancellationToken cancellationToken)
    {
        // Fine enough that detection overshoots the failure timeout by at most a tenth of it.
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, Math.Min(_options.HeartbeatInterval.Ticks, _options.FailureTimeout.Ticks / 10)));
        using var timer = new PeriodicTimer(tick, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                IReadOnlyList<PeerTransition> transitions;
                lock (_gate)
                {
                    transitions = _detector.Evaluate();
                }

                Report(transitions);
                if (!_settled && IsSettled())
                {
                    _settled = true;
                    _changes.Writer.TryWrite(true);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task NotifyLoopAsync(MembershipView last, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var view = Current;
                if (SameContent(last, view))
                {
                    continue;
                }

                last = view;
                foreach (var handler in Changed?.GetInvocationList().Cast<Action<MembershipView>>() ?? [])
                {
                    try
                    {
                        handler(view);
                    }
#pragma warning disable CA1031 // A subscriber's bug must not stop the notifications of the others.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        MembershipLog.ChangedHandlerFailed(_logger, e);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private void Report(IReadOnlyList<PeerTransition> transitions)
    {
        if (transitions.Count == 0)
        {
            return;
        }

        foreach (var transition in transitions)
        {
            MembershipLog.Transition(_logger, transition, _options.ConfigDigest);
        }

        _changes.Writer.TryWrite(true);
    }

    private bool AddUnreachable(string name)
    {
        lock (_unreachableLogged)
        {
            return _unreachableLogged.Add(name);
        }
    }

    private bool IsSettled()
    {
        lock (_gate)
        {
            return _startedAt is { } started && _firstPeersAt is { } peersAt
                && _timeProvider.GetElapsedTime(started) >= _options.FailureTimeout
                && _timeProvider.GetElapsedTime(peersAt) >= _options.FailureTimeout;
        }
    }

    private bool CanReach(IPEndPoint endpoint) =>
        _options.Listen.AddressFamily == endpoint.AddressFamily
        || (_options.Listen.AddressFamily == AddressFamily.InterNetworkV6 && _options.Listen.Address.Equals(IPAddress.IPv6Any));

    // What Changed reports: everything but the time of the last heartbeat.
    private static bool SameContent(MembershipView a, MembershipView b) =>
        a.Settled == b.Settled
        && a.Live.SequenceEqual(b.Live, StringComparer.Ordinal)
        && a.Candidates.SequenceEqual(b.Candidates, StringComparer.Ordinal)
        && a.Peers.Length == b.Peers.Length
        && a.Peers.Zip(b.Peers).All(pair => pair.First with { LastHeard = null } == pair.Second with { LastHeard = null });

}
