using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Ferry.DataPlane.Listeners;
using Ferry.DataPlane.State;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// One UDP client of a listener: a socket connected to its backend, and a loop sending the backend's
/// replies to the client through the listener's socket.
/// </summary>
/// <remarks>
/// The reply loop waits with a zero-byte <c>MSG_PEEK</c> receive and rents a datagram buffer only when
/// a reply is queued, so thousands of idle flows hold no buffers. An ICMP "port unreachable" from the
/// backend (connection refused on the connected socket) counts as a failed connect for passive health
/// and ends the flow, so the client's next datagram picks a backend anew.
/// </remarks>
internal sealed class UdpFlow : IForwardedFlow
{
    private const int MaxDatagram = 65535;

    private readonly ListenerState _listener;
    private readonly UdpListenerHost _host;
    private readonly Socket _socket;
    private readonly byte[]? _proxyHeader;
    private long _lastActivity;
    private int _aborted;

    public UdpFlow(ListenerState listener, UdpListenerHost host, BackendState backend, Socket socket, SocketAddress clientAddress, byte[]? proxyHeader)
    {
        _listener = listener;
        _host = host;
        Backend = backend;
        _socket = socket;
        ClientAddress = clientAddress;
        _proxyHeader = proxyHeader;
        _lastActivity = listener.Context.TimeProvider.GetTimestamp();
    }

    public BackendState Backend { get; }

    public IListenerHost Host => _host;

    /// <summary>The client's address: the flow table's key.</summary>
    public SocketAddress ClientAddress { get; }

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void Start() => _ = ReplyLoopAsync();

    /// <summary>
    /// Sends one client datagram (at <paramref name="offset"/> in <paramref name="buffer"/>) to the backend,
    /// with the PROXY v2 header written into the room in front of it.
    /// </summary>
    public async ValueTask ForwardAsync(byte[] buffer, int offset, int count)
    {
        Touch();
        var start = offset;
        if (_proxyHeader is not null)
        {
            start -= _proxyHeader.Length;
            _proxyHeader.CopyTo(buffer, start);
        }

        try
        {
            await _socket.SendAsync(buffer.AsMemory(start, offset - start + count), SocketFlags.None);
            Backend.AddBytesToBackend(count);
            _listener.Counters.AddBytesToBackend(count);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            OnBackendRefused();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The flow was aborted, or a transient send error: UDP may drop datagrams.
        }
    }

    /// <summary>A flow's backend socket is connected when the flow is created.</summary>
    public bool CheckConnect(long now) => false;

    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        _socket.Dispose();
        _host.Remove(this);
        _listener.Unregister(this);
    }

    private async Task ReplyLoopAsync()
    {
        var pool = ArrayPool<byte>.Shared;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek);
                buffer = pool.Rent(MaxDatagram);
                var received = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                Touch();
                await _host.SendToClientAsync(buffer.AsMemory(0, received), ClientAddress);
                Backend.AddBytesToClient(received);
                _listener.Counters.AddBytesToClient(received);
                pool.Return(buffer);
                buffer = null;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            OnBackendRefused();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborted (idle expiry, drain, shutdown) or the listener socket closed.
        }
        finally
        {
            if (buffer is not null)
            {
                pool.Return(buffer);
            }

            Abort();
        }
    }

    private void OnBackendRefused()
    {
        if (Volatile.Read(ref _aborted) == 0)
        {
            Backend.OnConnectFailed();
            _listener.Counters.OnConnectFailed();
        }

        Abort();
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _listener.Context.TimeProvider.GetTimestamp());
}
