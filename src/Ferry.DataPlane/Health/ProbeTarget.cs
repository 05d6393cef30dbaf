using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Health;

/// <summary>Where a check connects: the backend's address, on the check's port or else the backend's own.</summary>
internal static class ProbeTarget
{
    public static IPEndPoint EndPointOf(HealthCheckSpec check, BackendState backend) =>
        check.Port is { } port ? new IPEndPoint(backend.Spec.Address, port) : backend.EndPoint;

    /// <summary>Connects a new TCP socket; null and a detail when the connect failed.</summary>
    public static async Task<(Socket? Socket, string? Failure)> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return (socket, null);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            return (null, $"connect to {endPoint}: {ex.SocketErrorCode}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
