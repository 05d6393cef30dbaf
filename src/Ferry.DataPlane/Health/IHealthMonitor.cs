using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Health;

/// <summary>
/// Runs the active health check of one listener against its backends and reports into each
/// backend's <see cref="BackendHealth"/>.
/// </summary>
public interface IHealthMonitor : IAsyncDisposable
{
    /// <summary>Sets the backends to probe. Backends kept from the previous set keep their health.</summary>
    void SetBackends(IReadOnlyList<BackendState> backends);
}
