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
/// bounded by <see cref="LoadBalancerSpec.MaxUdpFlows"/> per socket.
/// </remarks>
internal sealed class UdpListenerHost : IListenerHost
{
    /// <summary>Room in front of each received datagram for a PROXY v2 header, so it is prepended without a copy.</summary>
    private const int HeaderRoom = ProxyProtocolHeader.MaxV2Length;
    private const int MaxDatagram = 65535;

    private readonly ListenerState _listener;
    private readonly ConcurrentDictionary<SocketAddress, UdpFlow> _flows = new();
    private readonly Lock _lock = new();
    private Socket? _socket;
    private CancellationTokenSource? _stop;
    private ListenerStatus _status;
    private int _flowCount;
    private int _tableFullLogged;

    public UdpListenerHost(ListenerState listener, IPEndPoint endPoint)
    {
        _listener = listener;
        EndPoint = endPoint;
        _status = new ListenerStatus(endPoint.Address, TransportProtocol.Udp, endPoint.Port, false, "not started");
    }

    public IPEndPoint EndPoint { get; }

    public ListenerStatus Status => Volatile.Read(ref _status);

    public int FlowCount => Volatile.Read(ref _flowCount);

    public void Start()
    {
        var context = _listener.Context;
        lock (_lock)
        {
            if (_socket is not null)
            {
                return;
            }

            Socket socket;
            try
            {
                socket = ListenSocket.Bind(EndPoint, SocketType.Dgram, ProtocolType.Udp);
            }
            catch (SocketException e)
            {
                SetStatus(false, ListenSocket.Describe(e));
                DataPlaneLog.ListenerBindFailed(context.Logger, _listener.Name, EndPoint, ListenSocket.Describe(e));
                return;
            }

            _socket = socket;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(context.ShutdownToken);
            SetStatus(true, null);
            DataPlaneLog.ListenerStarted(context.Logger, _listener.Name, EndPoint);
            _ = ReceiveLoopAsync(socket, _stop.Token);
        }
    }

    /// <summary>Closes the socket; flows end with it, since their replies could no longer reach the client.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            if (_socket is null)
            {
                return;
            }

            _stop!.Cancel();
            _stop.Dispose();
            _socket.Dispose();
            _socket = null;
            SetStatus(false, "stopped");
            DataPlaneLog.ListenerStopped(_listener.Context.Logger, _listener.Name, EndPoint);
        }

        foreach (var flow in _flows.Values)
        {
            flow.Abort();
        }
    }

    /// <summary>Sends a backend's reply to the client from this socket.</summary>
    public ValueTask<int> SendToClientAsync(ReadOnlyMemory<byte> datagram, SocketAddress client)
    {
        var socket = Volatile.Read(ref _socket) ?? throw new ObjectDisposedException(nameof(UdpListenerHost));
        return socket.SendToAsync(datagram, SocketFlags.None, client);
    }

    public void Remove(UdpFlow flow)
    {
        if (_flows.TryRemove(new KeyValuePair<SocketAddress, UdpFlow>(flow.ClientAddress, flow)))
        {
            Interlocked.Decrement(ref _flowCount);
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        var context = _listener.Context;
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
                DataPlaneLog.UdpReceiveError(context.Logger, _listener.Name, EndPoint, e.SocketErrorCode);
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
                    DataPlaneLog.UnexpectedClientError(context.Logger, e, _listener.Name, EndPoint);
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
        var context = _listener.Context;
        var counters = _listener.Counters;
        counters.OnAccepted();
        var client = (IPEndPoint)EndPoint.Create(address);
        var settings = _listener.Settings;
        if (!settings.IsAllowed(client.Address))
        {
            counters.OnRefused();
            DataPlaneLog.SourceRangeRefused(context.Logger, _listener.Name, client.Address);
            return null;
        }

        if (Volatile.Read(ref _flowCount) >= settings.MaxUdpFlows)
        {
            counters.OnUdpFlowDropped();
            if (Interlocked.Exchange(ref _tableFullLogged, 1) == 0)
            {
                DataPlaneLog.UdpFlowTableFull(context.Logger, _listener.Name, settings.MaxUdpFlows);
            }

            return null;
        }

        Volatile.Write(ref _tableFullLogged, 0);
        var backend = settings.Policy.Pick(_listener.Pool.Snapshot, client.Address);
        if (backend is null)
        {
            counters.OnNoBackend();
            DataPlaneLog.NoBackend(context.Logger, _listener.Name, client.Address);
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
            DataPlaneLog.BackendConnectFailed(context.Logger, _listener.Name, backend.ToString(), e.SocketErrorCode.ToString());
            return null;
        }

        var key = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(key.Buffer.Span);
        var header = settings.ProxyProtocol == ProxyProtocolVersion.V2
            ? ProxyProtocolHeader.CreateV2(TransportProtocol.Udp, client, EndPoint)
            : null;
        var flow = new UdpFlow(_listener, this, backend, backendSocket, key, header);
        _flows[key] = flow;
        Interlocked.Increment(ref _flowCount);
        _listener.Register(flow);
        flow.Start();
        return flow;
    }

    private void SetStatus(bool isServing, string? error) =>
        Volatile.Write(ref _status, new ListenerStatus(EndPoint.Address, TransportProtocol.Udp, EndPoint.Port, isServing, error));
}
