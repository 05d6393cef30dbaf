using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Testing;

/// <summary>
/// A TCP server on a random 127.x.y.z address and an OS-chosen port, running one handler per accepted
/// connection. Stopping it closes the listening socket, so new connects are refused.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private static readonly TimeSpan _maxWait = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _acceptLoop;
    private readonly SemaphoreSlim _accepted = new(0);
    private int _acceptedCount;

    private LoopbackServer(IPEndPoint endPoint, Func<Socket, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(endPoint);
        _listener.Listen(16);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int AcceptedCount => Volatile.Read(ref _acceptedCount);

    /// <summary>A random loopback address other than 127.0.0.1, so parallel tests never meet.</summary>
    public static IPAddress RandomLoopbackAddress() =>
        new([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);

    public static LoopbackServer Start(Func<Socket, CancellationToken, Task> handler, IPEndPoint? endPoint = null) =>
        new(endPoint ?? new IPEndPoint(RandomLoopbackAddress(), 0), handler);

    /// <summary>Accepts and closes at once: enough for a TCP connect check.</summary>
    public static LoopbackServer AcceptAndClose(IPEndPoint? endPoint = null) => Start(static (_, _) => Task.CompletedTask, endPoint);

    /// <summary>Accepts and never answers, like a hung backend.</summary>
    public static LoopbackServer Silent() => Start(static async (socket, ct) =>
    {
        var buffer = new byte[1024];
        while (await socket.ReceiveAsync(buffer, SocketFlags.None, ct) > 0)
        {
        }
    });

    /// <summary>
    /// Answers like kube-proxy's healthCheckNodePort: 200 with <c>localEndpoints</c> &gt; 0, else 503, JSON body.
    /// Each request's text is added to <paramref name="requests"/> when given.
    /// </summary>
    public static LoopbackServer KubeProxyHealthz(Func<int> localEndpoints, ConcurrentQueue<string>? requests = null, IPEndPoint? endPoint = null) => Start(async (socket, ct) =>
    {
        var request = await ReadRequestAsync(socket, ct);
        requests?.Enqueue(request);
        var count = localEndpoints();
        var body = "{\"service\":{\"namespace\":\"default\",\"name\":\"web\"},\"localEndpoints\":"
            + count.ToString(CultureInfo.InvariantCulture) + ",\"serviceProxyHealthy\":true}";
        var status = count > 0 ? "200 OK" : "503 Service Unavailable";
        var response = $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
            + $"Date: Wed, 25 Nov 2026 18:00:00 GMT\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
        await socket.SendAsync(Encoding.UTF8.GetBytes(response), SocketFlags.None, ct);
    }, endPoint);

    /// <summary>Waits (in real time, bounded) until at least <paramref name="count"/> connections were accepted.</summary>
    public async Task WaitForAcceptedAsync(int count, TimeSpan? maxWait = null)
    {
        while (AcceptedCount < count)
        {
            if (!await _accepted.WaitAsync(maxWait ?? _maxWait))
            {
                throw new TimeoutException($"Only {AcceptedCount} of {count} connections were accepted.");
            }
        }
    }

    /// <summary>Closes the listening socket; connects are refused from now on.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
#pragma warning disable VSTHRD003 // started by this instance's constructor
        await _acceptLoop;
#pragma warning restore VSTHRD003
        await Task.WhenAll(_connections).WaitAsync(_maxWait);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stopping.Dispose();
        _accepted.Dispose();
    }

    private static async Task<string> ReadRequestAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, ct);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (Encoding.ASCII.GetString(buffer, 0, length).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                break;
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _acceptedCount);
            _accepted.Release();
            _connections.Add(HandleAsync(socket));
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await _handler(socket, _stopping.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The prober hung up or the server stops.
            }
        }
    }
}
