using System.Text.Json;

namespace Ferry.KernelPlane.Stats;

/// <summary>One named counter's value.</summary>
public readonly record struct CounterValue(long Packets, long Bytes)
{
    public static CounterValue operator +(CounterValue left, CounterValue right) => new(left.Packets + right.Packets, left.Bytes + right.Bytes);

    public static CounterValue Add(CounterValue left, CounterValue right) => left + right;
}

/// <summary>
/// Parses nft's JSON answer to <c>list counters table inet ferry</c> (libnftables with JSON output, nft's <c>-j</c>):
/// <c>{"nftables": [{"metainfo": …}, {"counter": {"family": "inet", "name": "c0", "table": "ferry", "packets": 3, "bytes": 180}}]}</c>.
/// Pure.
/// </summary>
public static class CounterListing
{
    /// <summary>The named counters of table <c>inet ferry</c> in <paramref name="json"/>, by name.</summary>
    /// <exception cref="FormatException">The text is not nft's JSON listing.</exception>
    public static Dictionary<string, CounterValue> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var counters = new Dictionary<string, CounterValue>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return counters;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("not an nft JSON listing (no \"nftables\" array)");
            }

            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object
                    && item.TryGetProperty("counter", out var counter)
                    && counter.GetProperty("family").GetString() == "inet"
                    && counter.GetProperty("table").GetString() == "ferry")
                {
                    counters[counter.GetProperty("name").GetString()!] = new CounterValue(counter.GetProperty("packets").GetInt64(), counter.GetProperty("bytes").GetInt64());
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("not an nft JSON listing: " + e.Message, e);
        }

        return counters;
    }
}
