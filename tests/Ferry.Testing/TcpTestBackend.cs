using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Testing;

/// <summary>
/// A loopback TCP server for tests. The default handler echoes until EOF, then half-closes; others can
/// be given. Counts accepted connections and keeps the accepted sockets so tests can inspect them.
/// </summary>
public sealed class TcpTestBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Lock _lock = new();
    private readonly Task _acceptLoop;
    private int _accepted;

    public TcpTestBackend(IPAddress address, Func<Socket, CancellationToken, Task>? handler = null, string? greeting = null)
        : this(new IPEndPoint(address, 0), handler, greeting)
    {
    }

    /// <summary>
    /// On a given address and port (port 0: a free one). The socket is bound and listening when the
    /// constructor returns, so a backend built in a lab namespace (Lab/NetworkNamespace) lives there.
    /// </summary>
    public TcpTestBackend(IPEndPoint endPoint, Func<Socket, CancellationToken, Task>? handler = null, string? greeting = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        _handler = handler ?? ((s, ct) => EchoAsync(s, greeting, ct));
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(endPoint);
        _listener.Listen(4096);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public static async Task EchoAsync(Socket socket, string? greeting, CancellationToken cancellationToken)
    {
        if (greeting is not null)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(greeting), SocketFlags.None, cancellationToken);
        }

        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                socket.Shutdown(SocketShutdown.Send);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Task[] tasks;
        lock (_lock)
        {
            tasks = [.. _tasks, _acceptLoop];
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // Handlers end with cancellation or socket errors; only cleanup matters here.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            lock (_lock)
            {
                _tasks.Add(HandleAsync(client));
            }
        }
    }

    private async Task HandleAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await _handler(client, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
            {
            }
        }
    }
}
