using System.Diagnostics.Metrics;

namespace Ferry.Controller;

/// <summary>
/// The controller's instruments (meter <c>Ferry.Controller</c>): Service syncs by result, their
/// duration, the IPs allocated, the work queue's depth and, under leader election, leadership.
/// </summary>
/// <remarks>
/// One instance lives as long as the process; each <see cref="ServiceController"/> attaches itself
/// when built, so a new leadership term (a new controller) reports through the same instruments and a
/// standby replica simply reports no allocations or queue.
/// </remarks>
public sealed class ControllerMetrics : IDisposable
{
    public const string MeterName = "Ferry.Controller";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _syncs;
    private readonly Histogram<double> _syncDuration;
    private volatile ServiceController? _controller;

    /// <param name="meterFactory">Owns the meter; null creates an unshared one (tests, tools).</param>
    /// <param name="isLeader">Whether this replica leads (<c>ferry run</c>); null reports no leader gauge.</param>
    public ControllerMetrics(IMeterFactory? meterFactory = null, Func<bool>? isLeader = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _syncs = _meter.CreateCounter<long>("ferry.controller.syncs", "{sync}", "Service syncs completed, by result (success, failure, error).");
        _syncDuration = _meter.CreateHistogram<double>("ferry.controller.sync.duration", "s", "How long a Service sync took.");
        _meter.CreateObservableGauge("ferry.controller.allocated_ips", AllocatedIps, "{address}", "External IPs allocated to Services.");
        _meter.CreateObservableGauge("ferry.controller.queue.depth", QueueDepth, "{service}", "Services waiting in the work queue.");
        if (isLeader is not null)
        {
            _meter.CreateObservableGauge("ferry.controller.leader", () => isLeader() ? 1 : 0, null, "1 while this replica is the leader.");
        }
    }

    /// <summary>Records one completed sync; <paramref name="result"/> is success, failure or error.</summary>
    public void SyncCompleted(string result, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("result", result);
        _syncs.Add(1, tag);
        _syncDuration.Record(duration.TotalSeconds, tag);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    internal void Attach(ServiceController controller) => _controller = controller;

    internal void Detach(ServiceController controller) => Interlocked.CompareExchange(ref _controller, null, controller);

    private IEnumerable<Measurement<int>> AllocatedIps()
    {
        if (_controller is { } controller)
        {
            yield return new Measurement<int>(controller.AllocatedCount);
        }
    }

    private IEnumerable<Measurement<int>> QueueDepth()
    {
        if (_controller is { } controller)
        {
            yield return new Measurement<int>(controller.QueueDepth);
        }
    }
}
