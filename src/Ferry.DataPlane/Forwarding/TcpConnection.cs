using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ferry.Contracts;
using Ferry.DataPlane.Listeners;
using Ferry.DataPlane.State;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// One proxied TCP connection: connects to a backend (trying others when a connect fails), sends the
/// PROXY header if asked, then copies bytes both ways until both sides are done.
/// </summary>
/// <remarks>
/// Two pump loops, one per direction (Kestrel's receive/send split, YARP's StreamCopier). Each pump
/// waits with a zero-byte receive and rents its buffer only when data is there, returning it after a
/// short read, so an idle connection holds no buffer. On EOF a pump half-closes the other socket
/// (<c>Shutdown(Send)</c>) and the opposite direction keeps running (PERF-NOTES: WhenAny plus close
/// truncates); on an error both sockets are closed so the other pump cannot hang.
/// </remarks>
internal sealed class TcpConnection : IForwardedFlow
{
    private readonly ListenerState _listener;
    private readonly Socket _client;
    private readonly IPEndPoint _clientEndPoint;
    private Socket? _backendSocket;
    private BackendState? _backend;
    private long _lastActivity;
    private int _aborted;

    public TcpConnection(ListenerState listener, IListenerHost host, Socket client, IPEndPoint clientEndPoint)
    {
        _listener = listener;
        Host = host;
        _client = client;
        _clientEndPoint = clientEndPoint;
    }

    public BackendState Backend => _backend!;

    public IListenerHost Host { get; }

    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Runs the connection to its end; never throws.</summary>
    public async Task RunAsync(ListenerSettings settings)
    {
        var registered = false;
        try
        {
            if (!await ConnectAsync(settings))
            {
                return;
            }

            Touch();
            _listener.Register(this);
            registered = true;
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

            var toBackend = PumpAsync(_client, _backendSocket!, toBackend: true);
            var toClient = PumpAsync(_backendSocket!, _client, toBackend: false);
            await Task.WhenAll(toBackend, toClient);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The PROXY header could not be sent, or the connection was aborted while setting up.
        }
        catch (Exception e)
        {
            // A bug (in a policy, say) must cost this connection only.
            DataPlaneLog.UnexpectedClientError(_listener.Context.Logger, e, _listener.Name, Host.EndPoint);
        }
        finally
        {
            Abort();
            if (registered)
            {
                _listener.Unregister(this);
            }
        }
    }

    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        _client.Dispose();
        _backendSocket?.Dispose();
    }

    private async Task<bool> ConnectAsync(ListenerSettings settings)
    {
        var context = _listener.Context;
        List<BackendState>? tried = null;
        for (var attempt = 0; attempt < context.Options.MaxConnectAttempts; attempt++)
        {
            var snapshot = _listener.Pool.Snapshot;
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
            using var timeout = new CancellationTokenSource(context.Options.ConnectTimeout, context.TimeProvider);
            using var shutdown = context.ShutdownToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
            try
            {
                await socket.ConnectAsync(backend.EndPoint, timeout.Token);
                _backend = backend;
                _backendSocket = socket;
                if (Volatile.Read(ref _aborted) != 0)
                {
                    socket.Dispose();
                    return false;
                }

                return true;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                if (context.ShutdownToken.IsCancellationRequested)
                {
                    return false;
                }

                backend.OnConnectFailed();
                _listener.Counters.OnConnectFailed();
                var reason = e is SocketException se ? se.SocketErrorCode.ToString() : "timed out";
                DataPlaneLog.BackendConnectFailed(context.Logger, _listener.Name, backend.ToString(), reason);
                (tried ??= []).Add(backend);
            }
        }

        _listener.Counters.OnNoBackend();
        DataPlaneLog.NoBackend(context.Logger, _listener.Name, _clientEndPoint.Address);
        return false;
    }

    private async Task<CopyResult> PumpAsync(Socket from, Socket to, bool toBackend)
    {
        var pool = ArrayPool<byte>.Shared;
        var size = _listener.Context.Options.BufferSize;
        var time = _listener.Context.TimeProvider;
        var counters = _listener.Counters;
        var backend = _backend!;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    if (buffer is null)
                    {
                        // Wait for data without holding a buffer (idle connections cost no memory).
                        await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
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

                if (read < size)
                {
                    // A short read: the source is drained for now, so give the buffer back while we wait.
                    pool.Return(buffer);
                    buffer = null;
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
            Abort();
        }

        return CopyResult.Completed;
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _listener.Context.TimeProvider.GetTimestamp());
}
