using System.Net.NetworkInformation;
using System.Text.RegularExpressions;

namespace Ferry.Announcement.Tests.Lab;

/// <summary>What a host on the LAN sees: ARP replies (arping), neighbour advertisements (ndisc6), its neighbour table.</summary>
internal static partial class Probes
{
    /// <summary>The MAC of every ARP reply to two requests (arping, at most 3 s).</summary>
    public static async Task<IReadOnlyList<string>> ArpRepliesAsync(string ns, string address)
    {
        var (_, output) = await NetworkLab.ExecAsync(ns, "arping", "-c", "2", "-w", "3", "-I", "eth0", address);
        return [.. ArpReply().Matches(output).Select(m => m.Groups[1].Value.ToLowerInvariant())];
    }

    /// <summary>The target link-layer address ndisc6 gets for the address, or null when nothing answers (at most 3 tries of 1 s).</summary>
    public static async Task<string?> NeighbourAdvertisedMacAsync(string ns, string address)
    {
        var (exitCode, output) = await NetworkLab.ExecAsync(ns, "ndisc6", "-1", "-r", "3", "-w", "1000", address, "eth0");
        var match = TargetLinkLayer().Match(output);
        return exitCode == 0 && match.Success ? match.Groups[1].Value.ToLowerInvariant() : null;
    }

    /// <summary>Polls (at most 50 × 100 ms) the host's neighbour entry for the address until it has <paramref name="mac"/>; returns the last entry.</summary>
    public static async Task<string> WaitForNeighbourAsync(string ns, string address, string mac)
    {
        var entry = string.Empty;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            entry = await NetworkLab.IpAsync(ns, "neigh", "show", address, "dev", "eth0");
            if (entry.Contains(mac, StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            await Task.Delay(100);
        }

        return entry.Trim();
    }

    /// <summary>aa:bb:cc:dd:ee:ff as ip(8), arping and the announcer print it.</summary>
    public static string Format(PhysicalAddress mac) => string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"Unicast reply from \S+ \[([0-9A-Fa-f:]{17})\]")]
    private static partial Regex ArpReply();

    [GeneratedRegex(@"Target link-layer address: ([0-9A-Fa-f:]{17})")]
    private static partial Regex TargetLinkLayer();
}
