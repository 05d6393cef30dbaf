using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Cli.Tests;

/// <summary>A TCP backend on loopback that writes its name to every client and closes.</summary>
internal sealed class GreetingBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public GreetingBackend(IPAddress address, string name)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        var greeting = Encoding.ASCII.GetBytes(name);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                using (client)
                {
                    await client.SendAsync(greeting, SocketFlags.None);
                    client.Shutdown(SocketShutdown.Send);
                }
            }
        });
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Connects to <paramref name="endPoint"/> and returns everything it sends, or null if it cannot connect.</summary>
    public static async Task<string?> ReadGreetingAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            var buffer = new byte[64];
            var total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken)) > 0)
            {
                total += read;
            }

            return Encoding.ASCII.GetString(buffer, 0, total);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
#pragma warning disable VSTHRD003 // the loop was started by this object
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
        _stop.Dispose();
    }
}
