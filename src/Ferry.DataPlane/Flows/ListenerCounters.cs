namespace Ferry.DataPlane.Flows;

/// <summary>Atomic counters of one listener (all its addresses), updated on the hot path with <see cref="Interlocked"/>.</summary>
internal sealed class ListenerCounters
{
    private long _accepted;
    private long _refusedBySourceRange;
    private long _noBackend;
    private long _connectFailures;
    private long _activeConnections;
    private long _totalConnections;
    private long _bytesToBackend;
    private long _bytesToClient;
    private long _udpFlowsDropped;
    private long _connectionsReset;
    private long _connectionsAborted;

    /// <summary>TCP connections accepted or UDP datagrams received from a client without a flow.</summary>
    public long Accepted => Volatile.Read(ref _accepted);

    public long RefusedBySourceRange => Volatile.Read(ref _refusedBySourceRange);

    /// <summary>Clients turned away because no backend was available or every connect attempt failed.</summary>
    public long NoBackend => Volatile.Read(ref _noBackend);

    public long ConnectFailures => Volatile.Read(ref _connectFailures);

    /// <summary>Open TCP connections or live UDP flows.</summary>
    public long ActiveConnections => Volatile.Read(ref _activeConnections);

    public long TotalConnections => Volatile.Read(ref _totalConnections);

    public long BytesToBackend => Volatile.Read(ref _bytesToBackend);

    public long BytesToClient => Volatile.Read(ref _bytesToClient);

    /// <summary>Datagrams of new clients dropped because the flow table was full.</summary>
    public long UdpFlowsDropped => Volatile.Read(ref _udpFlowsDropped);

    /// <summary>TCP connections that reached a backend and ended with an error on either side (a reset, a failed write).</summary>
    public long ConnectionsReset => Volatile.Read(ref _connectionsReset);

    /// <summary>TCP connections that reached a backend and were closed by Ferry before both sides finished (idle timeout, drain deadline, shutdown).</summary>
    public long ConnectionsAborted => Volatile.Read(ref _connectionsAborted);

    public void OnAccepted() => Interlocked.Increment(ref _accepted);

    public void OnRefused() => Interlocked.Increment(ref _refusedBySourceRange);

    public void OnNoBackend() => Interlocked.Increment(ref _noBackend);

    public void OnConnectFailed() => Interlocked.Increment(ref _connectFailures);

    public void OnOpened()
    {
        Interlocked.Increment(ref _activeConnections);
        Interlocked.Increment(ref _totalConnections);
    }

    public void OnClosed() => Interlocked.Decrement(ref _activeConnections);

    public void AddBytesToBackend(long count) => Interlocked.Add(ref _bytesToBackend, count);

    public void AddBytesToClient(long count) => Interlocked.Add(ref _bytesToClient, count);

    public void OnUdpFlowDropped() => Interlocked.Increment(ref _udpFlowsDropped);

    public void OnConnectionReset() => Interlocked.Increment(ref _connectionsReset);

    public void OnConnectionAborted() => Interlocked.Increment(ref _connectionsAborted);
}
