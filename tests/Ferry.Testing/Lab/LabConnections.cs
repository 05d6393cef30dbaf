using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Testing.Lab;

/// <summary>Client connections made inside a lab namespace (the socket is created there, so it lives there).</summary>
public static class LabConnections
{
    /// <summary>
    /// Connects from <paramref name="client"/> (from <paramref name="source"/> if given), optionally sends
    /// <paramref name="send"/>, and reads until the other side closes (at most 256 bytes); null when the connection
    /// fails or <paramref name="timeout"/> passes. Cancelling <paramref name="cancellationToken"/> throws.
    /// </summary>
    public static async Task<string?> ReadToEndAsync(LabNamespace client, IPEndPoint target, TimeSpan timeout, CancellationToken cancellationToken, IPAddress? source = null, string? send = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var socket = NetnsLab.Run(client, () => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(target, cts.Token);
            if (send is not null)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(send), SocketFlags.None, cts.Token);
            }

            var buffer = new byte[256];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cts.Token)) > 0)
            {
                total += read;
            }

            return Encoding.ASCII.GetString(buffer, 0, total);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
