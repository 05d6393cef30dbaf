using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Flows;

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

    private readonly IListenerView _listener;
    private readonly UdpClientMap _clients;
    private readonly ListenerCounters _counters;
    private readonly TimeProvider _timeProvider;
    private readonly Socket _socket;
    private readonly byte[]? _proxyHeader;
    private long _lastActivity;
    private int _aborted;

    public UdpFlow(IListenerView listener, UdpClientMap clients, BackendState backend, Socket socket, SocketAddress clientAddress, byte[]? proxyHeader)
    {
        _listener = listener;
        _clients = clients;

        // Kept here, so a datagram costs no call through the listener's interface.
        _counters = listener.Counters;
        _timeProvider = listener.Context.TimeProvider;
        Backend = backend;
        _socket = socket;
        ClientAddress = clientAddress;
        _proxyHeader = proxyHeader;
        _lastActivity = _timeProvider.GetTimestamp();
    }

    public BackendState Backend { get; }

    public IEntryPoint EntryPoint => _clients.EntryPoint;

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
            _counters.AddBytesToBackend(count);
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
        _clients.Remove(this);
        _listener.Untrack(this, opened: true);
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
                await _clients.SendToClientAsync(buffer.AsMemory(0, received), ClientAddress);
                Backend.AddBytesToClient(received);
                _counters.AddBytesToClient(received);
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
            _counters.OnConnectFailed();
        }

        Abort();
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _timeProvider.GetTimestamp());
}
