using System.Globalization;

namespace Ferry.Announcement.Arp;

/// <summary>
/// Keeps the kernel from answering ARP on an announcing interface for the addresses on the dummy device:
/// with Linux's defaults (arp_ignore=0) it answers on every interface for every local address.
/// <c>arp_ignore=1</c>: answer only for addresses on the receiving interface; <c>arp_announce=2</c>: never
/// use an address of another interface as the sender of its own requests. Values already at least as strict are kept.
/// </summary>
internal sealed class ArpSysctls(string procSysRoot)
{
    /// <summary>The settings and the values the announcer needs at least.</summary>
    private static readonly (string Name, int Minimum)[] _required = [("arp_ignore", 1), ("arp_announce", 2)];

    /// <summary>Raises the interface's settings where needed; returns what changed (name, old value, new value).</summary>
    public IReadOnlyList<(string Setting, int From, int To)> Apply(string interfaceName)
    {
        var changes = new List<(string, int, int)>();
        foreach (var (name, minimum) in _required)
        {
            var path = Path.Combine(procSysRoot, "net", "ipv4", "conf", interfaceName, name);
            string text;
            try
            {
                text = File.ReadAllText(path).Trim();
            }
            catch (IOException e)
            {
                throw new AnnouncementException($"cannot read {path}: {e.Message}", e);
            }

            var current = int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
            // arp_ignore 1–8 are all at least as strict as 1 (they never answer for another interface's address).
            if (current >= minimum && (name != "arp_ignore" || current <= 8))
            {
                continue;
            }

            try
            {
                File.WriteAllText(path, minimum.ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new AnnouncementException($"cannot set {path} to {minimum} (needs CAP_NET_ADMIN in the network namespace): {e.Message}", e);
            }

            changes.Add((name, current, minimum));
        }

        return changes;
    }
}
