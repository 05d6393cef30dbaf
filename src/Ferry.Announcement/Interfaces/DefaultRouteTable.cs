using System.Globalization;

namespace Ferry.Announcement.Interfaces;

/// <summary>Reads which interfaces hold a default route from /proc/net/route and /proc/net/ipv6_route (text in, names out).</summary>
internal static class DefaultRouteTable
{
    private const int RouteReject = 0x0200;

    /// <summary>/proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask ...", hex fields; a default route has destination and mask 0.</summary>
    public static IReadOnlySet<string> Ipv4(string procNetRoute)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in procNetRoute.Split('\n').Skip(1))
        {
            var fields = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 8 && fields[1] == "00000000" && fields[7] == "00000000"
                && int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags) && (flags & RouteReject) == 0)
            {
                names.Add(fields[0]);
            }
        }

        return names;
    }

    /// <summary>/proc/net/ipv6_route: "dest destlen src srclen nexthop metric refcnt use flags iface"; a default route is ::/0 not rejecting and not on lo.</summary>
    public static IReadOnlySet<string> Ipv6(string procNetIpv6Route)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in procNetIpv6Route.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 10 && fields[0] == new string('0', 32) && fields[1] == "00" && fields[9] != "lo"
                && int.TryParse(fields[8], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags) && (flags & RouteReject) == 0)
            {
                names.Add(fields[9]);
            }
        }

        return names;
    }
}
