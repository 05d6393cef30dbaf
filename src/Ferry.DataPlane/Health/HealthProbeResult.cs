namespace Ferry.DataPlane.Health;

/// <summary>The outcome of one probe; <see cref="Detail"/> says why it failed, for logs.</summary>
public readonly record struct HealthProbeResult(bool IsHealthy, string? Detail)
{
    public static HealthProbeResult Healthy => new(true, null);

    public static HealthProbeResult Unhealthy(string detail) => new(false, detail);
}
