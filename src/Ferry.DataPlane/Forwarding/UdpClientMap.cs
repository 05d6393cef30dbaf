using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Ferry.DataPlane.Flows;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// The UDP flows of one bound listening socket, by client address, and that socket, through which
/// every flow sends its backend's replies (so the client sees them come from the load balancer's address).
/// </summary>
/// <remarks>
/// Looked up with the <see cref="SocketAddress"/> the receive loop just filled (value equality), so a
/// datagram of a known client allocates nothing.
/// </remarks>
internal sealed class UdpClientMap
{
    private readonly ConcurrentDictionary<SocketAddress, UdpFlow> _flows = new();
    private readonly Socket _socket;
    private int _count;

    public UdpClientMap(IEntryPoint entryPoint, Socket socket)
    {
        EntryPoint = entryPoint;
        _socket = socket;
    }

    /// <summary>The listening socket's address, which flows report as theirs.</summary>
    public IEntryPoint EntryPoint { get; }

    public int Count => Volatile.Read(ref _count);

    public bool TryGet(SocketAddress client, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UdpFlow? flow) => _flows.TryGetValue(client, out flow);

    /// <summary>Adds a new client's flow under its (copied) address.</summary>
    public void Add(UdpFlow flow)
    {
        _flows[flow.ClientAddress] = flow;
        Interlocked.Increment(ref _count);
    }

    /// <summary>Forgets <paramref name="flow"/>; a newer flow of the same client is left alone.</summary>
    public void Remove(UdpFlow flow)
    {
        if (_flows.TryRemove(new KeyValuePair<SocketAddress, UdpFlow>(flow.ClientAddress, flow)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Sends a backend's reply to the client from the listening socket.</summary>
    public ValueTask<int> SendToClientAsync(ReadOnlyMemory<byte> datagram, SocketAddress client) =>
        _socket.SendToAsync(datagram, SocketFlags.None, client);

    /// <summary>The socket closed: its flows end, since their replies could no longer reach the client.</summary>
    public void AbortAll()
    {
        foreach (var flow in _flows.Values)
        {
            flow.Abort();
        }
    }
}
