namespace Ferry.DataPlane;

/// <summary>Tuning knobs of the data plane that are not part of a load balancer's spec.</summary>
public sealed record DataPlaneOptions
{
    /// <summary>How long one connect attempt to a backend may take before the next backend is tried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many backends a new TCP connection tries before it is closed (bounded, so one dead backend cannot multiply the cost of a connection: docs/performance-notes.md).</summary>
    public int MaxConnectAttempts { get; init; } = 3;

    /// <summary>
    /// The copy buffer per direction, rented only while data flows. docs/performance-notes.md has 16 KiB 9.5,
    /// 64 KiB 13.6 and 256 KiB 17.4 Gbit/s on bulk transfers.
    /// </summary>
    public int BufferSize { get; init; } = 256 * 1024;

    /// <summary>
    /// The read buffer for small messages, held per direction while a connection waits for data, so a
    /// request/response exchange costs one receive per message instead of a zero-byte wait plus a
    /// receive. A read that fills it switches to <see cref="BufferSize"/>. 0 waits with zero-byte
    /// reads instead and holds no buffer while idle (one more receive syscall per message).
    /// </summary>
    public int SmallBufferSize { get; init; } = 4 * 1024;

    /// <summary>How often idle timeouts, drain deadlines and UDP flow expiry are checked.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Listeners without an active health check have only passive checking; a backend it marked
    /// unhealthy is given traffic again after this long (YARP's reactivation period).
    /// </summary>
    public TimeSpan PassiveReactivationPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Listen backlog of TCP listeners.</summary>
    public int ListenBacklog { get; init; } = 4096;

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Check(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive");
        Check(MaxConnectAttempts >= 1, nameof(MaxConnectAttempts), "must be at least 1");
        Check(BufferSize >= 1024, nameof(BufferSize), "must be at least 1024");
        Check(SmallBufferSize >= 0, nameof(SmallBufferSize), "must not be negative");
        Check(SweepInterval > TimeSpan.Zero, nameof(SweepInterval), "must be positive");
        Check(PassiveReactivationPeriod > TimeSpan.Zero, nameof(PassiveReactivationPeriod), "must be positive");
        Check(ListenBacklog >= 1, nameof(ListenBacklog), "must be at least 1");
        return problems;

        void Check(bool valid, string property, string rule)
        {
            if (!valid)
            {
                problems.Add($"{property}: {rule}");
            }
        }
    }
}
