using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// What every socket, connection and flow of one data plane shares: its logger, clock and shutdown
/// signal, and the connect and copy limits (taken from <c>DataPlaneOptions</c> once, at start).
/// </summary>
internal sealed class ForwardingContext
{
    public required ILogger Logger { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    /// <summary>Cancelled when the provider is disposed.</summary>
    public required CancellationToken ShutdownToken { get; init; }

    /// <summary>How long one connect attempt to a backend may take before the next backend is tried.</summary>
    public required TimeSpan ConnectTimeout { get; init; }

    /// <summary>How many backends a new TCP connection tries before it is closed.</summary>
    public required int MaxConnectAttempts { get; init; }

    /// <summary>The big copy buffer per direction, rented only while data flows.</summary>
    public required int BufferSize { get; init; }

    /// <summary>The read buffer for small messages, held per direction while a connection waits (0: none).</summary>
    public required int SmallBufferSize { get; init; }
}
