using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Forwarding;

namespace Ferry.DataPlane.Listeners;

/// <summary>
/// Accepts TCP connections on one address:port and hands each to a <see cref="TcpConnection"/>.
/// </summary>
/// <remarks>
/// One accept loop per socket. Clients outside the source ranges are closed at once. Accept errors are
/// sorted into tiers by <see cref="AcceptErrorPolicy"/>: transient ones are logged and the loop goes
/// on, fatal ones mark the socket as not serving.
/// </remarks>
internal sealed class TcpListenerHost : ListenerHost
{
    private readonly int _listenBacklog;

    public TcpListenerHost(IListenerView listener, IPEndPoint endPoint, int listenBacklog)
        : base(listener, endPoint, TransportProtocol.Tcp)
    {
        _listenBacklog = listenBacklog;
    }

    protected override Socket Bind()
    {
        var socket = ListenSocket.Bind(EndPoint, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Listen(_listenBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    protected override async Task RunAsync(Socket socket, CancellationToken cancellationToken)
    {
        var context = Listener.Context;
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
                    ListenerLog.AcceptFatalError(context.Logger, Listener.Name, EndPoint, e.SocketErrorCode);
                    Fail(socket, $"accept failed: {ListenSocket.Describe(e)}");
                    return;
                }

                ListenerLog.AcceptTransientError(context.Logger, Listener.Name, EndPoint, e.SocketErrorCode);
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
                ForwardingLog.UnexpectedClientError(context.Logger, e, Listener.Name, EndPoint);
                client.Dispose();
            }
        }
    }

    private void Accept(Socket client)
    {
        Listener.Counters.OnAccepted();
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

        var settings = Listener.Settings;
        if (!settings.IsAllowed(remote.Address))
        {
            Listener.Counters.OnRefused();
            ForwardingLog.SourceRangeRefused(Listener.Context.Logger, Listener.Name, remote.Address);

            // Linger 0: close with a reset at once, holding no state for a client we refuse.
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            return;
        }

        client.NoDelay = true;
        var connection = new TcpConnection(Listener, this, client, remote);
        _ = connection.RunAsync(settings);
    }
}
