using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.DataPlane.Tests.TestSupport;

/// <summary>Random loopback addresses, so tests running in parallel (and other helpers' tests) never collide.</summary>
internal static class Loopback
{
    /// <summary>A random address in 127.0.0.0/8 other than 127.0.0.x (left for fixed uses like source range tests).</summary>
    public static IPAddress RandomAddress() =>
        new([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);

    /// <summary>A port that was free a moment ago (for "dead backend" endpoints: nothing listens there).</summary>
    public static int DeadPort(IPAddress address)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A free port on <paramref name="address"/> for both TCP and UDP.</summary>
    public static int FreePort(IPAddress address)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no port free for both TCP and UDP");
    }

    /// <summary>A TCP client connected to <paramref name="endPoint"/>, optionally from a given source address.</summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken, IPAddress? source = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }

        await socket.ConnectAsync(endPoint, cancellationToken);
        return socket;
    }

    /// <summary>Reads until EOF (or <paramref name="limit"/> bytes); throws on a reset.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken, int limit = int.MaxValue)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (memory.Length < limit)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - memory.Length)), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            await memory.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return memory.ToArray();
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var offset = 0;
        while (offset < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"EOF after {offset} of {count} bytes");
            }

            offset += read;
        }

        return buffer;
    }

    /// <summary>True when the peer closed (EOF or reset) within the token's time.</summary>
    public static async Task<bool> IsClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public static CancellationTokenSource Timeout(double seconds = 15)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(seconds));
        return cts;
    }

    /// <summary>A UDP client socket bound to an OS-chosen port, on 127.0.0.1 unless <paramref name="source"/> is given.</summary>
    public static Socket UdpClientSocket(IPAddress? source = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(source ?? IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>Sends <paramref name="message"/> and returns the first datagram that comes back, with its sender.</summary>
    public static async Task<(string Reply, IPEndPoint From)> ExchangeAsync(Socket client, IPEndPoint to, string message, CancellationToken cancellationToken)
    {
        await client.SendToAsync(Encoding.ASCII.GetBytes(message), SocketFlags.None, to, cancellationToken);
        var buffer = new byte[65536];
        var result = await client.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
        return (Encoding.ASCII.GetString(buffer, 0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint);
    }
}
