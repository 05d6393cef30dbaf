using System.Collections.Immutable;
using System.Globalization;
using System.Net.NetworkInformation;

namespace Ferry.Announcement.Interfaces;

/// <summary>The interfaces of the process's network namespace, read from .NET (getifaddrs, sysfs) and /proc/net.</summary>
internal static class InterfaceInventory
{
    public static IReadOnlyList<LinkInterface> Read()
    {
        var v4Default = DefaultRouteTable.Ipv4(ReadOrEmpty("/proc/net/route"));
        var v6Default = DefaultRouteTable.Ipv6(ReadOrEmpty("/proc/net/ipv6_route"));
        var links = new List<LinkInterface>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (!int.TryParse(ReadOrEmpty($"/sys/class/net/{nic.Name}/ifindex").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                continue;
            }

            var addresses = nic.GetIPProperties().UnicastAddresses
                .Select(a => new InterfaceAddress(a.Address, a.PrefixLength))
                .ToImmutableArray();
            links.Add(new LinkInterface(
                nic.Name,
                index,
                nic.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown,
                nic.NetworkInterfaceType == NetworkInterfaceType.Loopback ? PhysicalAddress.None : nic.GetPhysicalAddress(),
                addresses,
                v4Default.Contains(nic.Name),
                v6Default.Contains(nic.Name)));
        }

        return links;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
