using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Ferry.Hosting.Admin;

/// <summary>
/// Renders Ferry's <see cref="System.Diagnostics.Metrics"/> instruments in the Prometheus text
/// exposition format 0.0.4: counters as <c>counter</c> with <c>_total</c>, up-down counters and gauges
/// as <c>gauge</c>, histograms with cumulative buckets; names from the instrument names
/// (<c>ferry.backend.connections</c> → <c>ferry_backend_connections_total</c>).
/// </summary>
/// <remarks>
/// Written on <see cref="MeterListener"/> because prometheus-net's meter adapter exported counters as
/// gauges and prefixed every name with its meter's. Observable instruments are read at scrape time,
/// so the series of a deleted load balancer disappear with it.
/// </remarks>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] _secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Lock _lock = new();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<Instrument, Series> _instruments = [];

    public PrometheusExporter(Func<Meter, bool> include)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (include(instrument.Meter))
            {
                lock (_lock)
                {
                    _instruments[instrument] = new Series(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_lock)
            {
                _instruments.Remove(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The current exposition text.</summary>
    public string Export()
    {
        lock (_lock)
        {
            foreach (var series in _instruments.Values.Where(s => s.Instrument.IsObservable))
            {
                series.Values.Clear();
            }
        }

        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        lock (_lock)
        {
            foreach (var series in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                series.Write(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_lock)
        {
            if (_instruments.TryGetValue(instrument, out var series))
            {
                series.Record(labels, value);
            }
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var pairs = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            pairs.Add($"{Sanitize(key)}=\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_' || chars[i] == ':'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string Format(double value) => double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One instrument's series, by label set.</summary>
    private sealed class Series
    {
        private readonly Dictionary<string, double[]> _histograms = new(StringComparer.Ordinal);

        public Series(Instrument instrument)
        {
            Instrument = instrument;
            var type = instrument.GetType().GetGenericTypeDefinition();
            Kind = type == typeof(Counter<>) || type == typeof(ObservableCounter<>) ? "counter"
                : type == typeof(Histogram<>) ? "histogram"
                : "gauge";
            var name = Sanitize(instrument.Name);
            var suffix = instrument.Unit switch
            {
                "s" => "_seconds",
                "By" => "_bytes",
                _ => string.Empty,
            };
            if (suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name += suffix;
            }

            Name = Kind == "counter" ? name + "_total" : name;
        }

        public Instrument Instrument { get; }

        public string Kind { get; }

        public string Name { get; }

        public Dictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

        public void Record(string labels, double value)
        {
            if (Kind == "histogram")
            {
                // Buckets (cumulative when written), then sum and count.
                if (!_histograms.TryGetValue(labels, out var state))
                {
                    _histograms[labels] = state = new double[_secondsBuckets.Length + 3];
                }

                var bucket = Array.FindIndex(_secondsBuckets, b => value <= b);
                state[bucket < 0 ? _secondsBuckets.Length : bucket]++;
                state[^2] += value;
                state[^1]++;
            }
            else if (Instrument.IsObservable || Kind == "gauge" && Instrument.GetType().GetGenericTypeDefinition() == typeof(Gauge<>))
            {
                Values[labels] = value; // observed totals and current values
            }
            else
            {
                Values[labels] = Values.GetValueOrDefault(labels) + value; // Counter and UpDownCounter report deltas
            }
        }

        public void Write(StringBuilder text)
        {
            if (Values.Count == 0 && _histograms.Count == 0)
            {
                return;
            }

            if (!string.IsNullOrEmpty(Instrument.Description))
            {
                text.Append("# HELP ").Append(Name).Append(' ').Append(Instrument.Description.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            }

            text.Append("# TYPE ").Append(Name).Append(' ').Append(Kind).Append('\n');
            foreach (var (labels, value) in Values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                text.Append(Name).Append(labels.Length > 0 ? "{" + labels + "}" : string.Empty).Append(' ').Append(Format(value)).Append('\n');
            }

            foreach (var (labels, state) in _histograms.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                var prefix = labels.Length > 0 ? labels + "," : string.Empty;
                double cumulative = 0;
                for (var i = 0; i <= _secondsBuckets.Length; i++)
                {
                    cumulative += state[i];
                    var le = i < _secondsBuckets.Length ? Format(_secondsBuckets[i]) : "+Inf";
                    text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"").Append(le).Append("\"} ").Append(Format(cumulative)).Append('\n');
                }

                var braces = labels.Length > 0 ? "{" + labels + "}" : string.Empty;
                text.Append(Name).Append("_sum").Append(braces).Append(' ').Append(Format(state[^2])).Append('\n');
                text.Append(Name).Append("_count").Append(braces).Append(' ').Append(Format(state[^1])).Append('\n');
            }
        }
    }
}
