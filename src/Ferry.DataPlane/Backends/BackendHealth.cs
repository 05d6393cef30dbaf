using Ferry.Contracts;

namespace Ferry.DataPlane.Backends;

/// <summary>
/// The health of one backend: consecutive successes and failures against the thresholds of its check.
/// Active probes and failed connects of real traffic (passive) both report here.
/// </summary>
/// <remarks>
/// A backend added to a listener with an active check starts <see cref="Unchecked"/>: not healthy, so it gets no
/// new traffic while another backend is healthy, and admitted on its first success whatever the healthy threshold
/// (also after failed first probes: it was never in the rotation) (docs/design/0001-data-plane.md, "Health").
/// </remarks>
public sealed class BackendHealth
{
    private readonly Lock _lock = new();
    private readonly int _healthyThreshold;
    private readonly int _unhealthyThreshold;
    private int _consecutiveSuccesses;
    private int _consecutiveFailures;
    private volatile bool _isHealthy;
    private volatile bool _isChecked;
    private bool _wasEverHealthy;

    /// <param name="healthyThreshold">Consecutive successes that make an unhealthy backend healthy.</param>
    /// <param name="unhealthyThreshold">Consecutive failures that make a healthy backend unhealthy.</param>
    /// <param name="isChecked">False for a backend no check has judged yet: it starts not healthy (<see cref="Unchecked"/>).</param>
    public BackendHealth(int healthyThreshold, int unhealthyThreshold, bool isChecked = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(healthyThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(unhealthyThreshold, 1);
        _healthyThreshold = healthyThreshold;
        _unhealthyThreshold = unhealthyThreshold;
        _isChecked = isChecked;
        _isHealthy = isChecked;
        _wasEverHealthy = isChecked;
    }

    /// <summary>Healthy from the start, with the thresholds of <paramref name="check"/>, or defaults for passive-only checking.</summary>
    public static BackendHealth For(HealthCheckSpec? check) =>
        new(check?.HealthyThreshold ?? 1, check?.UnhealthyThreshold ?? 3);

    /// <summary>
    /// A new backend under an active check: not healthy until its first probe succeeds; with passive checking only
    /// (no check) healthy from the start, as nothing could admit it.
    /// </summary>
    public static BackendHealth Unchecked(HealthCheckSpec? check) => check is null
        ? For(null)
        : new(check.HealthyThreshold, check.UnhealthyThreshold, isChecked: false);

    /// <summary>
    /// Raised after <see cref="IsHealthy"/> flipped, with the new value, and (with false) when the first check of an
    /// unchecked backend failed: it stays out of the rotation, now for a known reason.
    /// </summary>
    public event Action<BackendHealth, bool>? Changed;

    public bool IsHealthy => _isHealthy;

    /// <summary>False until a probe or a connect reported on this backend (only backends created <see cref="Unchecked"/>).</summary>
    public bool IsChecked => _isChecked;

    public void ReportSuccess()
    {
        bool flipped;
        lock (_lock)
        {
            _consecutiveFailures = 0;
            _consecutiveSuccesses++;

            // A backend that was never healthy yet joins on its first success, however many its check asks for later.
            flipped = !_isHealthy && (!_wasEverHealthy || _consecutiveSuccesses >= _healthyThreshold);
            _isChecked = true;
            if (flipped)
            {
                _wasEverHealthy = true;
                _isHealthy = true;
            }
        }

        if (flipped)
        {
            Changed?.Invoke(this, true);
        }
    }

    public void ReportFailure()
    {
        bool flipped;
        lock (_lock)
        {
            _consecutiveSuccesses = 0;
            _consecutiveFailures++;
            flipped = (_isHealthy && _consecutiveFailures >= _unhealthyThreshold) || !_isChecked;
            _isChecked = true;
            if (flipped)
            {
                _isHealthy = false;
            }
        }

        if (flipped)
        {
            Changed?.Invoke(this, false);
        }
    }
}
