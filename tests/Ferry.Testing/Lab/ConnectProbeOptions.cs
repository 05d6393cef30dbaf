namespace Ferry.Testing.Lab;

/// <summary>How a <see cref="ConnectProbe"/> connects; every loop is bounded by <see cref="MaxAttempts"/> and <see cref="MaxDuration"/>.</summary>
public sealed record ConnectProbeOptions
{
    /// <summary>The pause between the end of one attempt and the start of the next.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The limit of one attempt (connect, send, read to the end); past it the attempt failed.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The probe stops after this many attempts.</summary>
    public int MaxAttempts { get; init; } = 5_000;

    /// <summary>The probe stops after this long.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>What the client sends (then half-closes). An echoing backend (<c>TcpTestBackend</c> with a greeting) must send it back after its name; empty sends nothing (a <c>GreetingBackend</c>).</summary>
    public string Payload { get; init; } = "ping";

    /// <summary>The clock attempts are stamped with.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
