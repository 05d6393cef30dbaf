using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Flows;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// One proxied TCP connection: connects to a backend (trying others when a connect fails), sends the
/// PROXY header if asked, then copies bytes both ways until both sides are done.
/// </summary>
/// <remarks>
/// Two pump loops, one per direction (Kestrel's receive/send split, YARP's StreamCopier); see
/// <see cref="PumpAsync"/> for the buffer sizes. The connect timeout is enforced by the listener's
/// sweeper through <see cref="CheckConnect"/>, not by a timer per connect. On EOF a pump half-closes the other socket
/// (<c>Shutdown(Send)</c>) and the opposite direction keeps running (WhenAny plus close
/// truncates: docs/performance-notes.md, "Half-close"); on an error both sockets are closed so the other pump cannot hang. How the two directions
/// ended (<see cref="CopyResult"/>) is counted once per connection: reset (an error on either side) or
/// aborted (closed by Ferry: idle timeout, drain deadline, shutdown).
/// </remarks>
internal sealed class TcpConnection : IForwardedFlow
{
    private readonly IListenerView _listener;
    private readonly ForwardingContext _context;
    private readonly Socket _client;
    private readonly IPEndPoint _clientEndPoint;
    private Socket? _backendSocket;

    // The backend socket of the connect attempt in progress, and when it started (for the sweeper).
    private Socket? _connecting;
    private long _connectStarted;
    private BackendState? _backend;
    private long _lastActivity;
    private int _aborted;

    public TcpConnection(IListenerView listener, IEntryPoint entryPoint, Socket client, IPEndPoint clientEndPoint)
    {
        _listener = listener;
        _context = listener.Context;
        EntryPoint = entryPoint;
        _client = client;
        _clientEndPoint = clientEndPoint;
    }

    public BackendState Backend => _backend!;

    public IEntryPoint EntryPoint { get; }

    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Runs the connection to its end; never throws.</summary>
    public async Task RunAsync(ListenerSettings settings)
    {
        var opened = false;
        try
        {
            // Tracked from the start so the sweeper enforces the connect timeout (no timer per connect).
            Touch();
            _listener.Track(this);
            if (_context.ShutdownToken.IsCancellationRequested || !await ConnectAsync(settings))
            {
                return;
            }

            Touch();
            _listener.Opened(this);
            opened = true;
            if (!_listener.HasActiveHealthCheck)
            {
                _backend!.Health.ReportSuccess();
            }

            if (settings.ProxyProtocol != ProxyProtocolVersion.None)
            {
                var local = (IPEndPoint)_client.LocalEndPoint!;
                var header = ProxyProtocolHeader.Create(settings.ProxyProtocol, TransportProtocol.Tcp, _clientEndPoint, local);
                await _backendSocket!.SendAsync(header, SocketFlags.None);
            }

            var toClient = PumpAsync(_backendSocket!, _client, toBackend: false);
            var toBackendResult = await PumpAsync(_client, _backendSocket!, toBackend: true);
            CountEnding(toBackendResult, await toClient);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The PROXY header could not be sent, or the connection was aborted while setting up.
        }
        catch (Exception e)
        {
            // A bug (in a policy, say) must cost this connection only.
            ForwardingLog.UnexpectedClientError(_context.Logger, e, _listener.Name, EntryPoint.EndPoint);
        }
        finally
        {
            Abort();
            _listener.Untrack(this, opened);
        }
    }

    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        _client.Dispose();
        Interlocked.Exchange(ref _connecting, null)?.Dispose();
        _backendSocket?.Dispose();
    }

    /// <summary>
    /// Called by the sweeper: true while a connect attempt is in progress (the idle timeout does not
    /// apply yet); an attempt older than <see cref="ForwardingContext.ConnectTimeout"/> is closed, which
    /// fails it as timed out.
    /// </summary>
    public bool CheckConnect(long now)
    {
        var socket = Volatile.Read(ref _connecting);
        if (socket is null)
        {
            return false;
        }

        if (_context.TimeProvider.GetElapsedTime(Volatile.Read(ref _connectStarted), now) >= _context.ConnectTimeout
            && Interlocked.CompareExchange(ref _connecting, null, socket) == socket)
        {
            socket.Dispose();
        }

        return true;
    }

    private async Task<bool> ConnectAsync(ListenerSettings settings)
    {
        var context = _context;
        List<BackendState>? tried = null;
        for (var attempt = 0; attempt < context.MaxConnectAttempts; attempt++)
        {
            var snapshot = _listener.Backends;
            // A retry excludes the backends that already failed; on the hash ring the client then goes
            // where it would if those were removed, so affinity stays consistent.
            var backend = tried is null
                ? settings.Policy.Pick(snapshot, _clientEndPoint.Address)
                : settings.Policy.Pick(snapshot, _clientEndPoint.Address, CollectionsMarshal.AsSpan(tried));

            if (backend is null)
            {
                break;
            }

            var socket = new Socket(backend.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Volatile.Write(ref _connectStarted, context.TimeProvider.GetTimestamp());
            Volatile.Write(ref _connecting, socket);
            if (Volatile.Read(ref _aborted) != 0)
            {
                // Abort ran before the socket was published, so it could not close it.
                socket.Dispose();
                return false;
            }

            string reason;
            try
            {
                await socket.ConnectAsync(backend.EndPoint, CancellationToken.None);
                if (Interlocked.CompareExchange(ref _connecting, null, socket) == socket)
                {
                    _backend = backend;
                    _backendSocket = socket;
                    if (Volatile.Read(ref _aborted) != 0)
                    {
                        socket.Dispose();
                        return false;
                    }

                    return true;
                }

                // Connected just as the sweeper (or Abort) took the attempt away and closed the socket.
                reason = "timed out";
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Closed by the sweeper (timed out) or by Abort, else a real connect error.
                var timedOut = Interlocked.CompareExchange(ref _connecting, null, socket) != socket;
                reason = timedOut ? "timed out" : e is SocketException se ? se.SocketErrorCode.ToString() : e.GetType().Name;
            }

            socket.Dispose();
            if (Volatile.Read(ref _aborted) != 0 || context.ShutdownToken.IsCancellationRequested)
            {
                return false;
            }

            backend.OnConnectFailed();
            _listener.Counters.OnConnectFailed();
            ForwardingLog.BackendConnectFailed(context.Logger, _listener.Name, backend.ToString(), reason);
            (tried ??= []).Add(backend);
        }

        _listener.Counters.OnNoBackend();
        ForwardingLog.NoBackend(context.Logger, _listener.Name, _clientEndPoint.Address);
        return false;
    }

    /// <summary>
    /// Copies one direction. Small messages are read straight into a small buffer that is kept while
    /// waiting (one receive per message); a read that fills it switches to the big buffer, which is
    /// kept while reads fill it. After a short read into the big buffer it is returned: a read that
    /// would have fit the small buffer goes back to it, a larger one (bulk, paused) waits with a
    /// zero-byte receive, holding nothing, before renting the big buffer again.
    /// </summary>
    private async Task<CopyResult> PumpAsync(Socket from, Socket to, bool toBackend)
    {
        var pool = ArrayPool<byte>.Shared;
        var large = _context.BufferSize;
        var small = Math.Min(_context.SmallBufferSize, large);
        var time = _context.TimeProvider;
        var counters = _listener.Counters;
        var backend = _backend!;
        byte[]? buffer = null;
        var size = small;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    if (buffer is null)
                    {
                        if (size == 0)
                        {
                            // Wait for data without holding a buffer (idle connections cost no memory).
                            await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                            size = large;
                        }

                        buffer = pool.Rent(size);
                    }

                    read = await from.ReceiveAsync(buffer.AsMemory(0, size), SocketFlags.None);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    var result = Volatile.Read(ref _aborted) != 0 ? CopyResult.Aborted : CopyResult.ReadError;
                    Abort();
                    return result;
                }

                if (read == 0)
                {
                    break;
                }

                Volatile.Write(ref _lastActivity, time.GetTimestamp());
                try
                {
                    var sent = 0;
                    while (sent < read)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    var result = Volatile.Read(ref _aborted) != 0 ? CopyResult.Aborted : CopyResult.WriteError;
                    Abort();
                    return result;
                }

                if (toBackend)
                {
                    backend.AddBytesToBackend(read);
                    counters.AddBytesToBackend(read);
                }
                else
                {
                    backend.AddBytesToClient(read);
                    counters.AddBytesToClient(read);
                }

                if (size == large && (read < large || small == large))
                {
                    if (small == large && small != 0)
                    {
                        // One size only: keep it.
                        continue;
                    }

                    // A short read: the source is drained for now, so give the big buffer back while we wait.
                    pool.Return(buffer);
                    buffer = null;
                    size = read <= small ? small : 0;
                }
                else if (size == small && read == small)
                {
                    // The small buffer filled: more is likely queued, switch to the big one.
                    pool.Return(buffer);
                    buffer = null;
                    size = large;
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                pool.Return(buffer);
            }
        }

        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The end of the stream could not be passed on: as good as a failed write.
            var result = Volatile.Read(ref _aborted) != 0 ? CopyResult.Aborted : CopyResult.WriteError;
            Abort();
            return result;
        }

        return CopyResult.Completed;
    }

    /// <summary>
    /// Counts how the connection ended. An error in one direction aborts the other, so an error anywhere
    /// makes it a reset; otherwise an abort means Ferry closed it (idle timeout, drain deadline, shutdown).
    /// </summary>
    private void CountEnding(CopyResult toBackend, CopyResult toClient)
    {
        if (toBackend is CopyResult.ReadError or CopyResult.WriteError || toClient is CopyResult.ReadError or CopyResult.WriteError)
        {
            _listener.Counters.OnConnectionReset();
        }
        else if (toBackend == CopyResult.Aborted || toClient == CopyResult.Aborted)
        {
            _listener.Counters.OnConnectionAborted();
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _context.TimeProvider.GetTimestamp());
}
