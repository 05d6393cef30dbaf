using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Testing;

/// <summary>A loopback UDP server that answers each datagram with its name, then the datagram; it records what it received.</summary>
public sealed class UdpTestBackend : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _lock = new();
    private readonly List<(IPEndPoint From, byte[] Data)> _received = [];

    public UdpTestBackend(IPAddress address, string name)
        : this(new IPEndPoint(address, 0), name)
    {
    }

    /// <summary>
    /// On a given address and port (port 0: a free one). The socket is bound when the constructor returns,
    /// so a backend built in a lab namespace (Lab/NetworkNamespace) lives there.
    /// </summary>
    public UdpTestBackend(IPEndPoint endPoint, string name)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        Name = name;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(endPoint);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = LoopAsync();
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    public IReadOnlyList<(IPEndPoint From, byte[] Data)> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        var prefix = Encoding.ASCII.GetBytes(Name + ":");
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            var data = buffer.AsSpan(0, result.ReceivedBytes).ToArray();
            lock (_lock)
            {
                _received.Add(((IPEndPoint)result.RemoteEndPoint, data));
            }

            try
            {
                await _socket.SendToAsync((byte[])[.. prefix, .. data], SocketFlags.None, result.RemoteEndPoint, _stop.Token);
            }
            catch (Exception)
            {
                return;
            }
        }
    }
}
