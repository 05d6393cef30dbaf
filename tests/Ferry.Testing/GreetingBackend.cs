using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Testing;

/// <summary>A TCP backend on loopback that writes its name to every client and closes; the tests' stand-in for a pod.</summary>
public sealed class GreetingBackend : IAsyncDisposable
{
    private readonly TcpServer _server;

    /// <summary>On a random 127.x.y.z address, so parallel tests never meet.</summary>
    public GreetingBackend(string name)
        : this(RandomLoopback(), name)
    {
    }

    public GreetingBackend(IPAddress address, string name)
        : this(new IPEndPoint(address, 0), name)
    {
    }

    /// <summary>
    /// On a given address and port (port 0: a free one). The socket is bound and listening when the
    /// constructor returns, so a backend built in a lab namespace (Lab/NetworkNamespace) lives there.
    /// </summary>
    public GreetingBackend(IPEndPoint endPoint, string name)
    {
        var greeting = Encoding.ASCII.GetBytes(name);
        _server = new TcpServer(endPoint, async (client, cancellationToken) =>
        {
            await client.SendAsync(greeting, SocketFlags.None, cancellationToken);
            client.Shutdown(SocketShutdown.Send);
        });
        EndPoint = _server.EndPoint;
    }

    public IPEndPoint EndPoint { get; }

    public static IPAddress RandomLoopback() =>
        IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(2, 255)}"));

    /// <summary>What a client reads from <paramref name="endPoint"/>, or null when the connection is refused.</summary>
    public static async Task<string?> ReadAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
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
    /// Reads from <paramref name="endPoint"/> until it answers <paramref name="expected"/> or 30 s pass:
    /// endpoints reach the data plane a moment after the Service's IP does.
    /// </summary>
    public static async Task<string?> ReadUntilAsync(IPEndPoint endPoint, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
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

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
