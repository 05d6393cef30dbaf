using System.Globalization;
using System.Text;

namespace Ferry.Hosting.Status;

/// <summary>
/// Renders a <see cref="StatusDocument"/> as kubectl-like tables (upper-case headers, columns padded to
/// their widest cell), cutting long cells so a line fits <see cref="Width"/> columns.
/// </summary>
public static class StatusTable
{
    /// <summary>The terminal width the tables fit.</summary>
    public const int Width = 80;

    private const int Gap = 2;

    /// <summary>The load balancers' table, then the pools' (or why there are none here).</summary>
    public static string Render(StatusDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var text = new StringBuilder();
        if (document.LoadBalancers.Count == 0)
        {
            text.AppendLine("No load balancers.");
        }
        else
        {
            var withNode = document.LoadBalancers.Any(lb => lb.Node is not null);
            string[] header = withNode
                ? ["SERVICE", "ADDRESS", "PORTS", "NODE", "BACKENDS", "CONNS", "IN", "OUT"]
                : ["SERVICE", "ADDRESS", "PORTS", "BACKENDS", "CONNS", "IN", "OUT"];
            var rows = document.LoadBalancers.Select(lb => (string[])[
                lb.Service,
                Shorten(lb.Addresses) + (lb.Serving ? string.Empty : " (not bound)"),
                Shorten(lb.Ports),
                .. withNode ? [lb.Node ?? "-"] : Array.Empty<string>(),
                $"{lb.BackendsHealthy}/{lb.BackendsTotal}",
                lb.ActiveConnections.ToString(CultureInfo.InvariantCulture),
                Bytes(lb.BytesIn),
                Bytes(lb.BytesOut),
            ]).ToList();
            Write(text, header, rows);
        }

        text.AppendLine();
        if (document.Pools.Count == 0)
        {
            text.AppendLine(document.PoolsNote ?? "No pools.");
        }
        else
        {
            Write(
                text,
                ["POOL", "ADDRESSES", "CAPACITY", "ALLOCATED", "FREE"],
                [.. document.Pools.Select(p => (string[])[p.Name, Shorten(p.Addresses), Count(p.Capacity), Count(p.Allocated), Count(p.Free)])]);
        }

        return text.ToString();
    }

    /// <summary>A byte count as short text: <c>512</c>, <c>1.5Ki</c>, <c>32Mi</c>.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture)
            : value.ToString(value < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + units[unit];
    }

    private static string Count(long value) => value == long.MaxValue ? "many" : value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(IReadOnlyList<string> values) => values.Count switch
    {
        0 => "<none>",
        1 => values[0],
        _ => $"{values[0]} +{values.Count - 1}",
    };

    /// <summary>Pads each column to its widest cell; while a line would pass <see cref="Width"/>, the widest column is cut (its cells end in <c>~</c>).</summary>
    private static void Write(StringBuilder text, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        while (widths.Sum() + (Gap * (widths.Length - 1)) > Width)
        {
            var widest = Array.IndexOf(widths, widths.Max());
            if (widths[widest] <= header[widest].Length)
            {
                break;
            }

            widths[widest]--;
        }

        foreach (var row in rows.Prepend(header))
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                var cell = row[i].Length > widths[i] ? string.Concat(row[i].AsSpan(0, widths[i] - 1), "~") : row[i];
                line.Append(i == row.Length - 1 ? cell : cell.PadRight(widths[i] + Gap));
            }

            text.AppendLine(line.ToString().TrimEnd());
        }
    }
}
