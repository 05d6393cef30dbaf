using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Forwarding;

namespace Ferry.DataPlane.Listeners;

/// <summary>
/// Receives UDP datagrams on one address:port and forwards them through a <see cref="UdpClientMap"/> keyed
/// by the client's address: one backend (and one connected backend socket) per client.
/// </summary>
/// <remarks>
/// Replies go back through this socket, so the client sees them come from the load balancer's
/// address:port. The receive loop uses the allocation-free <c>ReceiveFromAsync(SocketAddress)</c> and
/// looks the flow up with that same <see cref="SocketAddress"/> (value equality), so a datagram of a
/// known client allocates nothing. Idle flows are expired by the listener's sweeper; the map is
/// bounded by <see cref="LoadBalancerSettings.MaxUdpFlows"/> per socket.
/// </remarks>
internal sealed class UdpListenerHost : ListenerHost
{
    /// <summary>Room in front of each received datagram for a PROXY v2 header, so it is prepended without a copy.</summary>
    private const int HeaderRoom = ProxyProtocolHeader.MaxV2Length;
    private const int MaxDatagram = 65535;

    private UdpClientMap? _clients;
    private int _tableFullLogged;

    public UdpListenerHost(IListenerView listener, IPEndPoint endPoint)
        : base(listener, endPoint, TransportProtocol.Udp)
    {
    }

    protected override Socket Bind() => ListenSocket.Bind(EndPoint, SocketType.Dgram, ProtocolType.Udp);

    /// <summary>Flows end with the socket, since their replies could no longer reach the client.</summary>
    protected override void OnStopped() => Volatile.Read(ref _clients)?.AbortAll();

    protected override async Task RunAsync(Socket socket, CancellationToken cancellationToken)
    {
        // Set before the first await, so before Start returns: a Stop always finds the flows to end.
        var clients = new UdpClientMap(this, socket);
        Volatile.Write(ref _clients, clients);
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
                ListenerLog.UdpReceiveError(context.Logger, Listener.Name, EndPoint, e.SocketErrorCode);
                continue;
            }

            if (!clients.TryGet(address, out var flow))
            {
                try
                {
                    flow = TryCreateFlow(clients, address);
                }
                catch (Exception e)
                {
                    // A bug in a policy must cost one datagram, not the listener.
                    ForwardingLog.UnexpectedClientError(context.Logger, e, Listener.Name, EndPoint);
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

    private UdpFlow? TryCreateFlow(UdpClientMap clients, SocketAddress address)
    {
        var context = Listener.Context;
        var counters = Listener.Counters;
        counters.OnAccepted();
        var client = (IPEndPoint)EndPoint.Create(address);
        var settings = Listener.Settings;
        if (!settings.IsAllowed(client.Address))
        {
            counters.OnRefused();
            ForwardingLog.SourceRangeRefused(context.Logger, Listener.Name, client.Address);
            return null;
        }

        if (clients.Count >= settings.MaxUdpFlows)
        {
            counters.OnUdpFlowDropped();
            if (Interlocked.Exchange(ref _tableFullLogged, 1) == 0)
            {
                ListenerLog.UdpFlowTableFull(context.Logger, Listener.Name, settings.MaxUdpFlows);
            }

            return null;
        }

        Volatile.Write(ref _tableFullLogged, 0);
        var backend = settings.Policy.Pick(Listener.Backends, client.Address);
        if (backend is null)
        {
            counters.OnNoBackend();
            ForwardingLog.NoBackend(context.Logger, Listener.Name, client.Address);
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
            ForwardingLog.BackendConnectFailed(context.Logger, Listener.Name, backend.ToString(), e.SocketErrorCode.ToString());
            return null;
        }

        var key = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(key.Buffer.Span);
        var header = settings.ProxyProtocol == ProxyProtocolVersion.V2
            ? ProxyProtocolHeader.CreateV2(TransportProtocol.Udp, client, EndPoint)
            : null;
        var flow = new UdpFlow(Listener, clients, backend, backendSocket, key, header);
        clients.Add(flow);
        Listener.Track(flow);
        Listener.Opened(flow);
        flow.Start();
        return flow;
    }
}
