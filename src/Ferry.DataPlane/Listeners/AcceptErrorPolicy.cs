using System.Net.Sockets;

namespace Ferry.DataPlane.Listeners;

/// <summary>Sorts accept errors into <see cref="AcceptErrorKind"/> tiers.</summary>
internal static class AcceptErrorPolicy
{
    public static AcceptErrorKind Classify(SocketError error) => error switch
    {
        SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown or SocketError.NotSocket => AcceptErrorKind.Stopped,
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.ConnectionRefused
            or SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable or SocketError.TimedOut
            or SocketError.NetworkDown or SocketError.NetworkUnreachable or SocketError.HostUnreachable
            or SocketError.TryAgain or SocketError.WouldBlock or SocketError.ProtocolType or SocketError.ProtocolOption => AcceptErrorKind.Transient,
        _ => AcceptErrorKind.Fatal,
    };

    /// <summary>Out of descriptors or buffers: pause before the next accept instead of spinning.</summary>
    public static bool NeedsBackoff(SocketError error) =>
        error is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable;
}
