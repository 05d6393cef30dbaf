using System.Diagnostics.Metrics;
using Ferry.DataPlane.Stats;

namespace Ferry.DataPlane;

/// <summary>
/// The data plane's instruments (meter <c>Ferry.DataPlane</c>), observed from the same counters as
/// <see cref="DataPlaneProvider.GetStats()"/>, so the hot path pays nothing extra for metrics.
/// </summary>
/// <remarks>
/// Tags: <c>load_balancer</c>, <c>listener</c> (e.g. <c>8080/TCP</c>) and, for backend instruments,
/// <c>backend</c> (<c>address:port</c>); byte counters add <c>direction</c> (<c>to_backend</c>, <c>to_client</c>).
/// </remarks>
public sealed class DataPlaneMetrics : IDisposable
{
    public const string MeterName = "Ferry.DataPlane";

    /// <summary>How long one snapshot of the stats serves the instruments: one collection reads them all within it.</summary>
    private static readonly TimeSpan _snapshotAge = TimeSpan.FromMilliseconds(50);

    private readonly Meter _meter;
    private readonly Func<IReadOnlyList<LoadBalancerStats>> _stats;
    private readonly Lock _snapshotLock = new();
    private IReadOnlyList<LoadBalancerStats>? _snapshot;
    private long _snapshotTaken;

    public DataPlaneMetrics(IMeterFactory meterFactory, Func<IReadOnlyList<LoadBalancerStats>> stats)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _stats = stats;
        _meter = meterFactory.Create(MeterName);

        _meter.CreateObservableCounter("ferry.listener.accepted", () => Listeners(l => l.Accepted), "{connection}", "TCP connections accepted or new UDP clients seen");
        _meter.CreateObservableCounter("ferry.listener.refused", () => Listeners(l => l.RefusedBySourceRange), "{connection}", "Clients refused by loadBalancerSourceRanges");
        _meter.CreateObservableCounter("ferry.listener.no_backend", () => Listeners(l => l.NoBackend), "{connection}", "Clients dropped with no backend reachable");
        _meter.CreateObservableCounter("ferry.listener.udp_flows_dropped", () => Listeners(l => l.UdpFlowsDropped), "{datagram}", "Datagrams of new UDP clients dropped because the flow table was full");
        _meter.CreateObservableCounter("ferry.listener.connections_reset", () => Listeners(l => l.ConnectionsReset), "{connection}", "TCP connections that ended with an error on either side (reset, failed write)");
        _meter.CreateObservableCounter("ferry.listener.connections_aborted", () => Listeners(l => l.ConnectionsAborted), "{connection}", "TCP connections Ferry closed before both sides finished (idle timeout, drain deadline, shutdown)");
        _meter.CreateObservableGauge("ferry.listener.fail_open", () => Listeners(l => l.IsFailOpen ? 1 : 0), null, "1 when no backend is healthy and traffic goes to all");
        _meter.CreateObservableGauge("ferry.listener.serving", () => Listeners(l => l.Sockets.Count(s => s.IsServing)), "{socket}", "Sockets of the listener that serve");

        _meter.CreateObservableUpDownCounter("ferry.backend.connections.active", () => Backends(b => b.ActiveConnections), "{connection}", "Open TCP connections or live UDP flows");
        _meter.CreateObservableCounter("ferry.backend.connections", () => Backends(b => b.TotalConnections), "{connection}", "Connections or UDP flows opened");
        _meter.CreateObservableCounter("ferry.backend.connect_failures", () => Backends(b => b.ConnectFailures), "{failure}", "Failed connects to the backend");
        _meter.CreateObservableGauge("ferry.backend.healthy", () => Backends(b => b.IsHealthy ? 1 : 0), null, "1 when the backend is healthy");
        _meter.CreateObservableCounter("ferry.backend.bytes", Bytes, "By", "Bytes forwarded");
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>
    /// The stats, read once for all the instruments of one collection: a collection calls each instrument's
    /// callback in turn, and reading the kernel plane's counters is a dump of its nftables counters.
    /// </summary>
    private IReadOnlyList<LoadBalancerStats> Snapshot()
    {
        lock (_snapshotLock)
        {
            if (_snapshot is null || System.Diagnostics.Stopwatch.GetElapsedTime(_snapshotTaken) > _snapshotAge)
            {
                _snapshot = _stats();
                _snapshotTaken = System.Diagnostics.Stopwatch.GetTimestamp();
            }

            return _snapshot;
        }
    }

    private IEnumerable<Measurement<long>> Listeners(Func<ListenerStats, long> value)
    {
        foreach (var lb in Snapshot())
        {
            foreach (var listener in lb.Listeners)
            {
                yield return new Measurement<long>(value(listener), Tag("load_balancer", lb.Key.ToString()), Tag("listener", listener.ToString()));
            }
        }
    }

    private IEnumerable<Measurement<long>> Backends(Func<BackendStats, long> value)
    {
        foreach (var lb in Snapshot())
        {
            foreach (var listener in lb.Listeners)
            {
                foreach (var backend in listener.Backends)
                {
                    yield return new Measurement<long>(
                        value(backend),
                        Tag("load_balancer", lb.Key.ToString()),
                        Tag("listener", listener.ToString()),
                        Tag("backend", backend.Spec.ToString()));
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> Bytes()
    {
        foreach (var lb in Snapshot())
        {
            foreach (var listener in lb.Listeners)
            {
                foreach (var backend in listener.Backends)
                {
                    var lbTag = Tag("load_balancer", lb.Key.ToString());
                    var listenerTag = Tag("listener", listener.ToString());
                    var backendTag = Tag("backend", backend.Spec.ToString());
                    yield return new Measurement<long>(backend.BytesToBackend, lbTag, listenerTag, backendTag, Tag("direction", "to_backend"));
                    yield return new Measurement<long>(backend.BytesToClient, lbTag, listenerTag, backendTag, Tag("direction", "to_client"));
                }
            }
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
