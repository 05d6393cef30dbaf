using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Forwarding;

namespace Ferry.DataPlane.Listeners;

/// <summary>
/// The start, stop and status bookkeeping that TCP and UDP sockets share; a subclass only binds its socket
/// and runs its accept or receive loop on it.
/// </summary>
/// <remarks>
/// One lock guards the socket and its stop source, so <see cref="Start"/>, <see cref="Stop"/> and
/// <see cref="Fail"/> never race; the loop runs outside it, on the token of the linked stop source.
/// </remarks>
internal abstract class ListenerHost : IListenerHost
{
    private readonly TransportProtocol _protocol;
    private readonly Lock _lock = new();
    private Socket? _socket;
    private CancellationTokenSource? _stop;
    private ListenerStatus _status;

    protected ListenerHost(IListenerView listener, IPEndPoint endPoint, TransportProtocol protocol)
    {
        Listener = listener;
        EndPoint = endPoint;
        _protocol = protocol;
        _status = new ListenerStatus(endPoint.Address, protocol, endPoint.Port, false, "not started");
    }

    public IPEndPoint EndPoint { get; }

    public ListenerStatus Status => Volatile.Read(ref _status);

    protected IListenerView Listener { get; }

    public void Start()
    {
        var context = Listener.Context;
        lock (_lock)
        {
            if (_socket is not null)
            {
                return;
            }

            Socket socket;
            try
            {
                socket = Bind();
            }
            catch (SocketException e)
            {
                SetStatus(false, ListenSocket.Describe(e));
                ListenerLog.ListenerBindFailed(context.Logger, Listener.Name, EndPoint, ListenSocket.Describe(e));
                return;
            }

            _socket = socket;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(context.ShutdownToken);
            SetStatus(true, null);
            ListenerLog.ListenerStarted(context.Logger, Listener.Name, EndPoint);
            _ = RunAsync(socket, _stop.Token);
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
            ListenerLog.ListenerStopped(Listener.Context.Logger, Listener.Name, EndPoint);
        }

        OnStopped();
    }

    /// <summary>Creates the bound (and for TCP listening) socket; throws <see cref="SocketException"/> when it cannot.</summary>
    protected abstract Socket Bind();

    /// <summary>The accept or receive loop; returns once <paramref name="cancellationToken"/> fires or the socket is closed.</summary>
    protected abstract Task RunAsync(Socket socket, CancellationToken cancellationToken);

    /// <summary>Runs after <see cref="Stop"/> closed the socket, outside the lock; not after a stop that found nothing to stop.</summary>
    protected virtual void OnStopped()
    {
    }

    /// <summary>The listening socket broke: close it so the next apply binds afresh.</summary>
    protected void Fail(Socket socket, string error)
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
        Volatile.Write(ref _status, new ListenerStatus(EndPoint.Address, _protocol, EndPoint.Port, isServing, error));
}
