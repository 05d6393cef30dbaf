using System.Diagnostics.Metrics;

namespace Ferry.Hosting.Admin;

/// <summary>
/// A minimal <see cref="IMeterFactory"/> for the CLI: every meter it creates is scoped to it (so the
/// admin endpoint exports exactly these), and disposing a meter really disposes it, so a new
/// leadership term's instruments replace the old term's instead of adding to them.
/// </summary>
public sealed class FerryMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly Lock _lock = new();

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_lock)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
