namespace Ferry.Testing.Lab;

/// <summary>One fresh TCP connection of a <see cref="ConnectProbe"/>.</summary>
/// <param name="Started">When the connect began.</param>
/// <param name="Duration">Connect, send, read until the server's end of stream (or the failure).</param>
/// <param name="Succeeded">Connected and read the backend's answer through to its end.</param>
/// <param name="Backend">What the backend wrote before echoing the payload: its name (null on failure).</param>
/// <param name="Error">Why it failed (refused, timed out, reset, wrong echo), else null.</param>
public sealed record ConnectAttempt(DateTimeOffset Started, TimeSpan Duration, bool Succeeded, string? Backend, string? Error)
{
    /// <summary>When it ended.</summary>
    public DateTimeOffset Finished => Started + Duration;

    public override string ToString() => $"{Started:HH:mm:ss.fff} +{Duration.TotalMilliseconds:F0} ms {(Succeeded ? "ok " + Backend : "failed: " + Error)}";
}
