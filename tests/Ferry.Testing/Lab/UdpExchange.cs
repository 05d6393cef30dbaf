using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Testing.Lab;

/// <summary>
/// UDP from a lab namespace: one datagram to a target and the first answer back (the socket is made inside
/// the namespace, <see cref="NetworkNamespace"/>). An echoing backend (<c>UdpTestBackend</c>) answers
/// <c>NAME:PAYLOAD</c>.
/// </summary>
public static class UdpExchange
{
    /// <summary>Sends <paramref name="payload"/> once and returns the first answer within <paramref name="timeout"/>, or null.</summary>
    public static async Task<string?> AskAsync(LabNamespace from, IPEndPoint target, string payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(target);
        using var socket = NetworkNamespace.Run(from.Name, () => new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await socket.SendToAsync(Encoding.ASCII.GetBytes(payload), SocketFlags.None, target, limit.Token);
            var buffer = new byte[2048];
            var any = target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
            var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(any, 0), limit.Token);
            return Encoding.ASCII.GetString(buffer, 0, received.ReceivedBytes);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            // ICMP port unreachable from an earlier datagram, or no route yet.
            return null;
        }
    }

    /// <summary>Asks (as <see cref="AskAsync"/>, 1 s per try) until an answer comes or <paramref name="timeout"/> has passed; null if none came.</summary>
    public static async Task<string?> WaitForAnswerAsync(LabNamespace from, IPEndPoint target, string payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await AskAsync(from, target, payload, TimeSpan.FromSeconds(1), cancellationToken) is { } answer)
            {
                return answer;
            }

            await Task.Delay(100, cancellationToken);
        }

        return null;
    }
}
