using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Forwarding;
using Ferry.DataPlane.State;

namespace Ferry.DataPlane.Listeners;

/// <summary>
/// Accepts TCP connections on one address:port and hands each to a <see cref="TcpConnection"/>.
/// </summary>
/// <remarks>
/// One accept loop per socket. Clients outside the source ranges are closed at once. Accept errors are
/// sorted into tiers by <see cref="AcceptErrorPolicy"/>: transient ones are logged and the loop goes
/// on, fatal ones mark the socket as not serving.
/// </remarks>
internal sealed class TcpListenerHost : IListenerHost
{
    private readonly ListenerState _listener;
    private readonly Lock _lock = new();
    private Socket? _socket;
    private CancellationTokenSource? _stop;
    private ListenerStatus _status;

    public TcpListenerHost(ListenerState listener, IPEndPoint endPoint)
    {
        _listener = listener;
        EndPoint = endPoint;
        _status = new ListenerStatus(endPoint.Address, TransportProtocol.Tcp, endPoint.Port, false, "not started");
    }

    public IPEndPoint EndPoint { get; }

    public ListenerStatus Status => Volatile.Read(ref _status);

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
                socket = ListenSocket.Bind(EndPoint, SocketType.Stream, ProtocolType.Tcp);
                socket.Listen(context.Options.ListenBacklog);
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
            _ = AcceptLoopAsync(socket, _stop.Token);
        }
    }

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
    }

    private async Task AcceptLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        var context = _listener.Context;
        while (true)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                var kind = cancellationToken.IsCancellationRequested ? AcceptErrorKind.Stopped : AcceptErrorPolicy.Classify(e.SocketErrorCode);
                if (kind == AcceptErrorKind.Stopped)
                {
                    return;
                }

                if (kind == AcceptErrorKind.Fatal)
                {
                    DataPlaneLog.AcceptFatalError(context.Logger, _listener.Name, EndPoint, e.SocketErrorCode);
                    Fail(socket, $"accept failed: {ListenSocket.Describe(e)}");
                    return;
                }

                DataPlaneLog.AcceptTransientError(context.Logger, _listener.Name, EndPoint, e.SocketErrorCode);
                if (AcceptErrorPolicy.NeedsBackoff(e.SocketErrorCode))
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100), context.TimeProvider, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            try
            {
                Accept(client);
            }
            catch (Exception e)
            {
                // A bug in a policy must cost one connection, not the listener.
                DataPlaneLog.UnexpectedClientError(context.Logger, e, _listener.Name, EndPoint);
                client.Dispose();
            }
        }
    }

    private void Accept(Socket client)
    {
        _listener.Counters.OnAccepted();
        IPEndPoint remote;
        try
        {
            remote = (IPEndPoint)client.RemoteEndPoint!;
        }
        catch (SocketException)
        {
            client.Dispose();
            return;
        }

        var settings = _listener.Settings;
        if (!settings.IsAllowed(remote.Address))
        {
            _listener.Counters.OnRefused();
            DataPlaneLog.SourceRangeRefused(_listener.Context.Logger, _listener.Name, remote.Address);

            // Linger 0: close with a reset at once, holding no state for a client we refuse.
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            return;
        }

        client.NoDelay = true;
        var connection = new TcpConnection(_listener, this, client, remote);
        _ = connection.RunAsync(settings);
    }

    /// <summary>The listening socket broke: close it so the next apply binds afresh.</summary>
    private void Fail(Socket socket, string error)
    {
        lock (_lock)
        {
            if (_socket != socket)
            {
                return;
            }

            _stop!.Dispose();
            _socket.Dispose();
            _socket = null;
            SetStatus(false, error);
        }
    }

    private void SetStatus(bool isServing, string? error) =>
        Volatile.Write(ref _status, new ListenerStatus(EndPoint.Address, TransportProtocol.Tcp, EndPoint.Port, isServing, error));
}
