using System.Net;
using Ferry.Contracts;

namespace Ferry.DataPlane.Backends;

/// <summary>
/// The runtime state of one backend of one listener: its health, whether it drains, and atomic counters.
/// </summary>
/// <remarks>
/// Counters are updated with <see cref="Interlocked"/> on the hot path and read by metrics and status.
/// A backend removed from the spec is marked draining: it gets no new connections, and its existing
/// ones finish within the drain timeout.
/// </remarks>
public sealed class BackendState
{
    private long _activeConnections;
    private long _totalConnections;
    private long _bytesToBackend;
    private long _bytesToClient;
    private long _connectFailures;
    private volatile bool _isDraining;

    private BackendSpec _spec;

    public BackendState(BackendSpec spec, BackendHealth health)
    {
        _spec = spec;
        EndPoint = spec.EndPoint;
        Health = health;
    }

    /// <summary>The backend's spec; its weight and name may change while its address and port stay.</summary>
    public BackendSpec Spec => Volatile.Read(ref _spec);

    /// <summary>Cached so the hot path does not allocate one per connection.</summary>
    public IPEndPoint EndPoint { get; }

    public BackendHealth Health { get; }

    public int Weight => Spec.Weight;

    public bool IsHealthy => Health.IsHealthy;

    /// <summary>True once the backend was removed from the spec; it then gets no new traffic.</summary>
    public bool IsDraining => _isDraining;

    public long ActiveConnections => Volatile.Read(ref _activeConnections);

    public long TotalConnections => Volatile.Read(ref _totalConnections);

    public long BytesToBackend => Volatile.Read(ref _bytesToBackend);

    public long BytesToClient => Volatile.Read(ref _bytesToClient);

    public long ConnectFailures => Volatile.Read(ref _connectFailures);

    public void MarkDraining() => _isDraining = true;

    /// <summary>Takes a new weight or name for the same address and port, keeping health and counters.</summary>
    internal void UpdateSpec(BackendSpec spec)
    {
        if (!spec.Address.Equals(EndPoint.Address) || spec.Port != EndPoint.Port)
        {
            throw new ArgumentException($"backend {spec} is not {EndPoint}", nameof(spec));
        }

        Volatile.Write(ref _spec, spec);
    }

    /// <summary>Call when a connection (or UDP flow) to this backend is established.</summary>
    public void OnConnectionOpened()
    {
        Interlocked.Increment(ref _activeConnections);
        Interlocked.Increment(ref _totalConnections);
    }

    public void OnConnectionClosed() => Interlocked.Decrement(ref _activeConnections);

    /// <summary>A connect attempt failed: counted, and reported to passive health checking.</summary>
    public void OnConnectFailed()
    {
        Interlocked.Increment(ref _connectFailures);
        Health.ReportFailure();
    }

    public void AddBytesToBackend(long count) => Interlocked.Add(ref _bytesToBackend, count);

    public void AddBytesToClient(long count) => Interlocked.Add(ref _bytesToClient, count);

    public override string ToString() => Spec.ToString();
}
