using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Health;

/// <summary>
/// One active check of one backend (a TCP connect, an HTTP GET). The caller enforces the timeout through
/// <c>cancellationToken</c>; ordinary failures (refused, reset, wrong status) are returned, not thrown.
/// </summary>
public interface IHealthProbe
{
    Task<HealthProbeResult> ProbeAsync(BackendState backend, CancellationToken cancellationToken);
}
