using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Ferry.Announcement.Interfaces;

/// <summary>
/// Chooses the interfaces to announce an address on: the ones the claim names (each must exist and be up),
/// else the interface whose subnet holds the address, else the one with the family's default route.
/// Loopback, interfaces without a MAC and the announcer's own device are never chosen.
/// </summary>
internal static class InterfaceSelector
{
    public static InterfaceChoice Choose(IPAddress address, ImmutableArray<string> requested, IReadOnlyList<LinkInterface> interfaces, string deviceName)
    {
        if (!requested.IsDefaultOrEmpty)
        {
            var chosen = ImmutableArray.CreateBuilder<LinkInterface>();
            foreach (var name in requested.Distinct(StringComparer.Ordinal))
            {
                var link = interfaces.FirstOrDefault(i => i.Name == name);
                if (link is null)
                {
                    return InterfaceChoice.Fail($"interface {name} does not exist");
                }

                if (name == deviceName)
                {
                    return InterfaceChoice.Fail($"interface {name} is the announcer's own device; name the interface on the network");
                }

                if (!link.IsUp)
                {
                    return InterfaceChoice.Fail($"interface {name} is down");
                }

                if (!IsEthernetLike(link))
                {
                    return InterfaceChoice.Fail($"interface {name} has no MAC address to answer ARP or neighbour solicitations from");
                }

                chosen.Add(link);
            }

            return new InterfaceChoice(chosen.ToImmutable(), null);
        }

        var candidates = interfaces.Where(i => i.IsUp && i.Name != deviceName && IsEthernetLike(i)).ToList();
        var onSubnet = candidates.Where(i => i.Addresses.Any(a => a.SubnetContains(address) && !a.Address.Equals(address))).ToList();
        if (onSubnet.Count > 0)
        {
            // Several interfaces on one subnet: the first by index, so every replica chooses alike.
            return new InterfaceChoice([onSubnet.MinBy(i => i.Index)!], null);
        }

        var isV6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var withDefault = candidates.Where(i => isV6 ? i.HasIpv6DefaultRoute : i.HasIpv4DefaultRoute).ToList();
        if (withDefault.Count > 0)
        {
            return new InterfaceChoice([withDefault.MinBy(i => i.Index)!], null);
        }

        return InterfaceChoice.Fail($"no interface's subnet holds {address} and there is no {(isV6 ? "IPv6" : "IPv4")} default route; name the interface");
    }

    private static bool IsEthernetLike(LinkInterface link) => link.Mac.GetAddressBytes().Length == 6;
}
