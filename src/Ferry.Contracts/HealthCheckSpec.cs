namespace Ferry.Contracts;

/// <summary>
/// An active health check run against every backend of a listener.
/// </summary>
/// <remarks>
/// A backend becomes healthy after <see cref="HealthyThreshold"/> consecutive successes and unhealthy
/// after <see cref="UnhealthyThreshold"/> consecutive failures; failed connects of real traffic count
/// as failures too (passive checking). Backends start healthy, as cloud load balancers do, so a new
/// load balancer serves at once.
/// </remarks>
public sealed record HealthCheckSpec
{
    public HealthCheckType Type { get; init; } = HealthCheckType.Tcp;

    /// <summary>The port to probe; null means the backend's own port. For <c>externalTrafficPolicy: Local</c> this is the Service's healthCheckNodePort.</summary>
    public int? Port { get; init; }

    /// <summary>The HTTP path (HTTP checks only).</summary>
    public string Path { get; init; } = "/healthz";

    /// <summary>The HTTP status that means healthy (HTTP checks only).</summary>
    public int ExpectedStatus { get; init; } = 200;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    public int HealthyThreshold { get; init; } = 2;

    public int UnhealthyThreshold { get; init; } = 3;
}
