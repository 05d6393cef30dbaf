using System.Diagnostics.Metrics;

namespace Ferry.DataPlane.Health;

/// <summary>
/// Health instruments of the data plane (meter <c>Ferry.DataPlane.Health</c>): probe results, backend
/// transitions and the number of listeners failing open.
/// </summary>
public sealed class HealthMetrics
{
    public const string MeterName = "Ferry.DataPlane.Health";

    private readonly Counter<long> _probes;
    private readonly Counter<long> _transitions;

    /// <param name="meterFactory">Owns the meter; null creates an unshared one (tests, tools).</param>
    public HealthMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _probes = meter.CreateCounter<long>("ferry.health.probes", "{probe}", "Active health probes, by listener and result.");
        _transitions = meter.CreateCounter<long>("ferry.health.transitions", "{transition}", "Backends turning healthy or unhealthy.");
    }

    /// <summary>For tests: the meter the instruments belong to.</summary>
    internal Meter Meter { get; }

    public void ProbeCompleted(string listener, bool isHealthy) =>
        _probes.Add(1, new("listener", listener), new("result", isHealthy ? "success" : "failure"));

    public void BackendChanged(string listener, string backend, bool isHealthy) =>
        _transitions.Add(1, new("listener", listener), new("backend", backend), new("state", isHealthy ? "healthy" : "unhealthy"));
}
