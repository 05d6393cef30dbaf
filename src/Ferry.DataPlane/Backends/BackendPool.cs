namespace Ferry.DataPlane.Backends;

/// <summary>
/// The backends of one listener and the current <see cref="BackendSnapshot"/> of those that may take traffic.
/// </summary>
public sealed class BackendPool
{
    private readonly Lock _lock = new();
    private IReadOnlyList<BackendState> _backends = [];
    private BackendSnapshot _snapshot = BackendSnapshot.Empty;

    private volatile bool _isAwaitingFirstCheck;

    /// <summary>
    /// Raised after a rebuild that changed fail-open state (or, while failing open, <see cref="IsAwaitingFirstCheck"/>),
    /// so the owner can log and count it.
    /// </summary>
    public event Action<BackendPool, bool>? FailOpenChanged;

    /// <summary>
    /// Raised after every rebuild of <see cref="Snapshot"/> (health, draining or the backend list changed), outside the
    /// pool's lock, so a data plane that programs its backend set elsewhere (the kernel's) can follow it.
    /// </summary>
    public event Action<BackendPool>? SnapshotChanged;

    /// <summary>Failing open only because no backend has been checked yet (a new listener before its first probes answer).</summary>
    public bool IsAwaitingFirstCheck => _isAwaitingFirstCheck;

    /// <summary>Every backend in the spec (draining ones are not included).</summary>
    public IReadOnlyList<BackendState> Backends => Volatile.Read(ref _backends);

    public BackendSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Replaces the backend list. Backends no longer listed must be marked draining by the caller.</summary>
    public void SetBackends(IReadOnlyList<BackendState> backends)
    {
        foreach (var backend in backends)
        {
            backend.Health.Changed -= OnHealthChanged;
            backend.Health.Changed += OnHealthChanged;
        }

        lock (_lock)
        {
            foreach (var old in _backends)
            {
                if (!backends.Contains(old))
                {
                    old.Health.Changed -= OnHealthChanged;
                }
            }

            Volatile.Write(ref _backends, backends);
        }

        Rebuild();
    }

    /// <summary>Recomputes the snapshot from the backends' current health.</summary>
    public void Rebuild()
    {
        bool wasFailOpen;
        bool isFailOpen;
        bool awaitingChanged;
        lock (_lock)
        {
            var live = _backends.Where(b => !b.IsDraining).ToArray();
            var healthy = live.Where(b => b.IsHealthy).ToArray();
            wasFailOpen = _snapshot.IsFailOpen;
            isFailOpen = healthy.Length == 0 && live.Length > 0;

            // Unchecked backends take traffic only this way: when no backend is healthy, all live ones do.
            var awaiting = isFailOpen && live.All(b => !b.Health.IsChecked);
            awaitingChanged = awaiting != _isAwaitingFirstCheck;
            _isAwaitingFirstCheck = awaiting;
            Volatile.Write(ref _snapshot, new BackendSnapshot(isFailOpen ? live : healthy, isFailOpen, _snapshot.Version + 1));
        }

        if (wasFailOpen != isFailOpen || (isFailOpen && awaitingChanged))
        {
            FailOpenChanged?.Invoke(this, isFailOpen);
        }

        SnapshotChanged?.Invoke(this);
    }

    private void OnHealthChanged(BackendHealth health, bool isHealthy) => Rebuild();
}
