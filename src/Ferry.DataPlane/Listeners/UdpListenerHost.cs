using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Forwarding;
using Ferry.DataPlane.State;

namespace Ferry.DataPlane.Listeners;

/// <summary>
/// Receives UDP datagrams on one address:port and forwards them through a flow table keyed by the
/// client's address: one backend (and one connected backend socket) per client.
/// </summary>
/// <remarks>
/// Replies go back through this socket, so the client sees them come from the load balancer's
/// address:port. The receive loop uses the allocation-free <c>ReceiveFromAsync(SocketAddress)</c> and
/// looks the flow up with that same <see cref="SocketAddress"/> (value equality), so a datagram of a
/// known client allocates nothing. Idle flows are expired by the listener's sweeper; the table is
/// bounded by <see cref="LoadBalancerSettings.MaxUdpFlows"/> per socket.
/// </remarks>
internal sealed class UdpListenerHost : ListenerHost
{
    /// <summary>Room in front of each received datagram for a PROXY v2 header, so it is prepended without a copy.</summary>
    private const int HeaderRoom = ProxyProtocolHeader.MaxV2Length;
    private const int MaxDatagram = 65535;

    private readonly ConcurrentDictionary<SocketAddress, UdpFlow> _flows = new();
    private int _flowCount;
    private int _tableFullLogged;

    public UdpListenerHost(ListenerState listener, IPEndPoint endPoint)
        : base(listener, endPoint, TransportProtocol.Udp)
    {
    }

    public int FlowCount => Volatile.Read(ref _flowCount);

    /// <summary>Sends a backend's reply to the client from this socket.</summary>
    public ValueTask<int> SendToClientAsync(ReadOnlyMemory<byte> datagram, SocketAddress client)
    {
        var socket = BoundSocket ?? throw new ObjectDisposedException(nameof(UdpListenerHost));
        return socket.SendToAsync(datagram, SocketFlags.None, client);
    }

    public void Remove(UdpFlow flow)
    {
        if (_flows.TryRemove(new KeyValuePair<SocketAddress, UdpFlow>(flow.ClientAddress, flow)))
        {
            Interlocked.Decrement(ref _flowCount);
        }
    }

    protected override Socket Bind() => ListenSocket.Bind(EndPoint, SocketType.Dgram, ProtocolType.Udp);

    /// <summary>Flows end with the socket, since their replies could no longer reach the client.</summary>
    protected override void OnStopped()
    {
        foreach (var flow in _flows.Values)
        {
            flow.Abort();
        }
    }

    protected override async Task RunAsync(Socket socket, CancellationToken cancellationToken)
    {
        var context = Listener.Context;
        var buffer = GC.AllocateUninitializedArray<byte>(HeaderRoom + MaxDatagram, pinned: true);
        var address = new SocketAddress(socket.AddressFamily);
        while (true)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer.AsMemory(HeaderRoom), SocketFlags.None, address, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (cancellationToken.IsCancellationRequested || AcceptErrorPolicy.Classify(e.SocketErrorCode) == AcceptErrorKind.Stopped)
                {
                    return;
                }

                // ICMP errors from earlier sends and the like concern one client, not the socket.
                DataPlaneLog.UdpReceiveError(context.Logger, Listener.Name, EndPoint, e.SocketErrorCode);
                continue;
            }

            if (!_flows.TryGetValue(address, out var flow))
            {
                try
                {
                    flow = TryCreateFlow(address);
                }
                catch (Exception e)
                {
                    // A bug in a policy must cost one datagram, not the listener.
                    DataPlaneLog.UnexpectedClientError(context.Logger, e, Listener.Name, EndPoint);
                    flow = null;
                }

                if (flow is null)
                {
                    continue;
                }
            }

            await flow.ForwardAsync(buffer, HeaderRoom, received);
        }
    }

    private UdpFlow? TryCreateFlow(SocketAddress address)
    {
        var context = Listener.Context;
        var counters = Listener.Counters;
        counters.OnAccepted();
        var client = (IPEndPoint)EndPoint.Create(address);
        var settings = Listener.Settings;
        if (!settings.IsAllowed(client.Address))
        {
            counters.OnRefused();
            DataPlaneLog.SourceRangeRefused(context.Logger, Listener.Name, client.Address);
            return null;
        }

        if (Volatile.Read(ref _flowCount) >= settings.MaxUdpFlows)
        {
            counters.OnUdpFlowDropped();
            if (Interlocked.Exchange(ref _tableFullLogged, 1) == 0)
            {
                DataPlaneLog.UdpFlowTableFull(context.Logger, Listener.Name, settings.MaxUdpFlows);
            }

            return null;
        }

        Volatile.Write(ref _tableFullLogged, 0);
        var backend = settings.Policy.Pick(Listener.Pool.Snapshot, client.Address);
        if (backend is null)
        {
            counters.OnNoBackend();
            DataPlaneLog.NoBackend(context.Logger, Listener.Name, client.Address);
            return null;
        }

        var backendSocket = new Socket(backend.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Connecting a UDP socket only sets its default peer: no packet is sent, nothing blocks.
            backendSocket.Connect(backend.EndPoint);
        }
        catch (SocketException e)
        {
            backendSocket.Dispose();
            backend.OnConnectFailed();
            counters.OnConnectFailed();
            DataPlaneLog.BackendConnectFailed(context.Logger, Listener.Name, backend.ToString(), e.SocketErrorCode.ToString());
            return null;
        }

        var key = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(key.Buffer.Span);
        var header = settings.ProxyProtocol == ProxyProtocolVersion.V2
            ? ProxyProtocolHeader.CreateV2(TransportProtocol.Udp, client, EndPoint)
            : null;
        var flow = new UdpFlow(Listener, this, backend, backendSocket, key, header);
        _flows[key] = flow;
        Interlocked.Increment(ref _flowCount);
        Listener.Register(flow);
        flow.Start();
        return flow;
    }
}
