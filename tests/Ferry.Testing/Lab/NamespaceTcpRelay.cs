using System.Net;
using System.Net.Sockets;

namespace Ferry.Testing.Lab;

/// <summary>
/// Lets the test process reach a TCP service inside a lab namespace, which it cannot route to: listens on
/// 127.0.0.1 (an OS-chosen port) in the test's own namespace and, for each connection, opens one to
/// <see cref="Target"/> from a socket created inside the namespace (<see cref="NetworkNamespace"/>), then
/// copies bytes both ways (half-closes passed on). <see cref="LabCluster"/> reaches <c>ferry api</c> so,
/// for KubernetesClient, which makes its own sockets.
/// </summary>
public sealed class NamespaceTcpRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _namespaceName;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    /// <summary>Starts relaying 127.0.0.1:<see cref="EndPoint"/> to <paramref name="target"/> inside <paramref name="namespaceName"/>.</summary>
    public NamespaceTcpRelay(string namespaceName, IPEndPoint target)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespaceName);
        ArgumentNullException.ThrowIfNull(target);
        _namespaceName = namespaceName;
        Target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where the test process connects (127.0.0.1 and a free port).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Where the relay connects, inside the namespace.</summary>
    public IPEndPoint Target { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Task[] tasks;
        lock (_lock)
        {
            tasks = [_acceptLoop, .. _connections];
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static async Task CopyAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away: end the other too.
            from.Dispose();
            to.Dispose();
        }
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
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            lock (_lock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using (client)
        {
            using var upstream = NetworkNamespace.Run(_namespaceName, () => new Socket(Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
            try
            {
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                connect.CancelAfter(TimeSpan.FromSeconds(10));
                await upstream.ConnectAsync(Target, connect.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return; // The client sees its connection closed, as with a refused one.
            }

            await Task.WhenAll(CopyAsync(client, upstream, _stop.Token), CopyAsync(upstream, client, _stop.Token));
        }
    }
}
