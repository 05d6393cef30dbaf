using System.Diagnostics.Metrics;

namespace Ferry.Membership;

/// <summary>
/// Instruments of the membership (meter <c>Ferry.Membership</c>, docs/metrics.md): peers alive, ready, alive only indirectly, and known,
/// heartbeats sent and received, datagrams dropped by reason.
/// </summary>
internal sealed class MembershipMetrics : IDisposable
{
    public const string MeterName = "Ferry.Membership";

    private readonly bool _ownsMeter;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _received;
    private readonly Counter<long> _dropped;

    /// <param name="meterFactory">Owns the meter; null creates one this instance disposes.</param>
    /// <param name="peers">Reads how many peers are alive and known, at every collection.</param>
    public MembershipMetrics(IMeterFactory? meterFactory, Func<(int Alive, int Known, int Indirect, int Ready)> peers)
    {
        _ownsMeter = meterFactory is null;
        var meter = Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        meter.CreateObservableGauge("ferry.membership.peers.alive", () => peers().Alive, "{peer}", "Peers heard within the failure timeout (this replica not counted).");
        meter.CreateObservableGauge("ferry.membership.peers.ready", () => peers().Ready, "{peer}", "Live peers ready to own addresses (candidates; this replica not counted).");
        meter.CreateObservableGauge("ferry.membership.peers.indirect", () => peers().Indirect, "{peer}", "Peers alive only because another peer hears them: their heartbeats do not reach this replica.");
        meter.CreateObservableGauge("ferry.membership.peers.known", () => peers().Known, "{peer}", "Peers discovered or heard from, alive or not.");
        _sent = meter.CreateCounter<long>("ferry.membership.heartbeats.sent", "{datagram}", "Heartbeat datagrams sent.");
        _received = meter.CreateCounter<long>("ferry.membership.heartbeats.received", "{datagram}", "Heartbeat datagrams received and accepted.");
        _dropped = meter.CreateCounter<long>("ferry.membership.datagrams.dropped", "{datagram}", "Datagrams received and dropped, by reason.");
    }

    /// <summary>For tests: the meter the instruments belong to.</summary>
    internal Meter Meter { get; }

    public void HeartbeatSent() => _sent.Add(1);

    public void HeartbeatReceived() => _received.Add(1);

    public void DatagramDropped(DropReason reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", Label(reason)));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    /// <summary>The <c>reason</c> label (and log wording) of a drop.</summary>
    public static string Label(DropReason reason) => reason switch
    {
        DropReason.Malformed => "malformed",
        DropReason.UnsupportedVersion => "unsupported_version",
        DropReason.BadKey => "bad_key",
        DropReason.Stale => "stale",
        DropReason.DuplicateName => "duplicate_name",
        _ => "other",
    };
}
