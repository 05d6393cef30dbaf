using System.Net;
using System.Net.Sockets;

namespace Ferry.DataPlane.Listeners;

/// <summary>Creates bound listening sockets the same way for TCP and UDP.</summary>
internal static class ListenSocket
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    /// <summary>Binds a socket on <paramref name="endPoint"/>; throws <see cref="SocketException"/> when the port cannot be bound.</summary>
    public static Socket Bind(IPEndPoint endPoint, SocketType type, ProtocolType protocol)
    {
        var socket = new Socket(endPoint.AddressFamily, type, protocol);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            // Plain SO_REUSEADDR, so a restart can bind while old connections sit in TIME_WAIT. .NET's
            // ReuseAddress option also sets SO_REUSEPORT on Linux, which would let two load balancers
            // share one address:port silently instead of reporting the conflict.
            if (type == SocketType.Stream && OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            }

            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A short reason for the status, e.g. "address already in use (AddressAlreadyInUse)".</summary>
    public static string Describe(SocketException e) => $"{e.Message} ({e.SocketErrorCode})";
}
