using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ferry.Testing.Lab;

/// <summary>Parsers of what the independent tools print (pure, so they are tested without root).</summary>
public static partial class ToolOutput
{
    /// <summary>iputils' <c>arping</c>: one <c>Unicast reply from 192.0.2.50 [AA:BB:CC:DD:EE:FF]  0.7ms</c> line per reply; replies counted per MAC, in order of first reply.</summary>
    public static IReadOnlyList<ArpReply> ParseArping(string output) => CountByMac(ArpingReply().Matches(output ?? string.Empty).Select(m => m.Groups["mac"].Value));

    /// <summary>ndisc6: one <c>Target link-layer address: AA:BB:CC:DD:EE:FF</c> line per advertisement (several with <c>-m</c>).</summary>
    public static IReadOnlyList<ArpReply> ParseNdisc6(string output) => CountByMac(NdiscTarget().Matches(output ?? string.Empty).Select(m => m.Groups["mac"].Value));

    /// <summary><c>ip -j neigh show</c>: every entry (an empty JSON list, or no output, is none).</summary>
    public static IReadOnlyList<NeighbourEntry> ParseNeighbours(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return
        [
            .. document.RootElement.EnumerateArray().Select(entry => new NeighbourEntry(
                IPAddress.Parse(entry.GetProperty("dst").GetString()!),
                entry.TryGetProperty("dev", out var dev) ? dev.GetString() ?? string.Empty : string.Empty,
                entry.TryGetProperty("lladdr", out var mac) && mac.GetString() is { Length: > 0 } text ? LinkLayerText.Parse(text) : null,
                entry.TryGetProperty("state", out var states) ? [.. states.EnumerateArray().Select(s => s.GetString() ?? string.Empty)] : [])),
        ];
    }

    /// <summary><c>ip -j addr show [dev X]</c>: every address of every interface listed.</summary>
    public static IReadOnlyList<InterfaceAddress> ParseAddresses(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return
        [
            .. document.RootElement.EnumerateArray()
                .Where(link => link.TryGetProperty("addr_info", out _))
                .SelectMany(link => link.GetProperty("addr_info").EnumerateArray())
                .Where(info => info.TryGetProperty("local", out _))
                .Select(info => new InterfaceAddress(
                    IPAddress.Parse(info.GetProperty("local").GetString()!),
                    info.GetProperty("prefixlen").GetInt32(),
                    info.TryGetProperty("scope", out var scope) ? scope.GetString() ?? string.Empty : string.Empty)),
        ];
    }

    private static List<ArpReply> CountByMac(IEnumerable<string> macs)
    {
        var order = new List<PhysicalAddress>();
        var counts = new Dictionary<PhysicalAddress, int>();
        foreach (var mac in macs.Select(LinkLayerText.Parse))
        {
            if (counts.TryGetValue(mac, out var count))
            {
                counts[mac] = count + 1;
            }
            else
            {
                order.Add(mac);
                counts[mac] = 1;
            }
        }

        return [.. order.Select(mac => new ArpReply(mac, counts[mac]))];
    }

    [GeneratedRegex(@"^Unicast reply from \S+ \[(?<mac>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\]", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ArpingReply();

    [GeneratedRegex(@"^Target link-layer address: (?<mac>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex NdiscTarget();

}
