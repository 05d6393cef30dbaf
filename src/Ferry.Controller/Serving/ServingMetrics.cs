using System.Diagnostics.Metrics;

namespace Ferry.Controller.Serving;

/// <summary>
/// The announcement instruments (meter <c>Ferry.Serving</c>): addresses this replica owns, claims,
/// releases, conflicts and failed claims.
/// </summary>
public sealed class ServingMetrics : IDisposable
{
    public const string MeterName = "Ferry.Serving";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _claims;
    private readonly Counter<long> _releases;
    private readonly Counter<long> _conflicts;
    private readonly Counter<long> _failures;
    private Func<int> _owned = () => 0;

    /// <param name="meterFactory">Owns the meter; null creates an unshared one (tests, tools).</param>
    public ServingMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _claims = _meter.CreateCounter<long>("ferry.l2.claims", "{address}", "Addresses this replica started announcing.");
        _releases = _meter.CreateCounter<long>("ferry.l2.releases", "{address}", "Addresses this replica stopped announcing.");
        _conflicts = _meter.CreateCounter<long>("ferry.l2.conflicts", "{address}", "Claims refused because another host on the LAN answered for the address.");
        _failures = _meter.CreateCounter<long>("ferry.l2.claim_failures", "{address}", "Claims that failed (no such interface, no capability, ...).");
        _meter.CreateObservableGauge("ferry.l2.addresses_owned", () => _owned(), "{address}", "Addresses this replica announces and serves now.");
    }

    public void Claimed() => _claims.Add(1);

    public void Released() => _releases.Add(1);

    public void Conflict() => _conflicts.Add(1);

    public void Failed() => _failures.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    internal void Attach(Func<int> owned) => _owned = owned;
}
