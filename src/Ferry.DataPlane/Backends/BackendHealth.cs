using Ferry.Contracts;

namespace Ferry.DataPlane.Backends;

/// <summary>
/// The health of one backend: consecutive successes and failures against the thresholds of its check.
/// Active probes and failed connects of real traffic (passive) both report here.
/// </summary>
public sealed class BackendHealth
{
    private readonly Lock _lock = new();
    private readonly int _healthyThreshold;
    private readonly int _unhealthyThreshold;
    private int _consecutiveSuccesses;
    private int _consecutiveFailures;
    private volatile bool _isHealthy = true;

    public BackendHealth(int healthyThreshold, int unhealthyThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(healthyThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(unhealthyThreshold, 1);
        _healthyThreshold = healthyThreshold;
        _unhealthyThreshold = unhealthyThreshold;
    }

    /// <summary>Thresholds of <paramref name="check"/>, or defaults for passive-only checking.</summary>
    public static BackendHealth For(HealthCheckSpec? check) =>
        new(check?.HealthyThreshold ?? 1, check?.UnhealthyThreshold ?? 3);

    /// <summary>Raised after <see cref="IsHealthy"/> flipped, with the new value.</summary>
    public event Action<BackendHealth, bool>? Changed;

    public bool IsHealthy => _isHealthy;

    public void ReportSuccess()
    {
        bool flipped;
        lock (_lock)
        {
            _consecutiveFailures = 0;
            _consecutiveSuccesses++;
            flipped = !_isHealthy && _consecutiveSuccesses >= _healthyThreshold;
            if (flipped)
            {
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
            flipped = _isHealthy && _consecutiveFailures >= _unhealthyThreshold;
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
