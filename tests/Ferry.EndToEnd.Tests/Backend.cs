using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.EndToEnd.Tests;

/// <summary>A TCP backend on a random loopback address that writes its name to each client and closes.</summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Backend(string name)
    {
        var address = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(2, 255)}"));
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(64);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        var greeting = Encoding.ASCII.GetBytes(name);
        _loop = Task.Run(async () =>
        {
            while (true)
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

    /// <summary>What a client reads from <paramref name="endPoint"/>, or null when the connection is refused.</summary>
    public static async Task<string?> ReadAsync(IPEndPoint endPoint)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(endPoint, timeout.Token);
            var buffer = new byte[64];
            var total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token)) > 0)
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

    /// <summary>
    /// Reads from <paramref name="endPoint"/> until it answers <paramref name="expected"/> (bounded):
    /// endpoints reach the data plane a moment after the Service's IP does.
    /// </summary>
    public static async Task<string?> ReadUntilAsync(IPEndPoint endPoint, string expected)
    {
        var deadline = DateTime.UtcNow + LocalFerryFixture.Wait;
        string? answer;
        do
        {
            answer = await ReadAsync(endPoint);
            if (answer == expected)
            {
                break;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        return answer;
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
