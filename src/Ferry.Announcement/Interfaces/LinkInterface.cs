using System.Collections.Immutable;
using System.Net.NetworkInformation;

namespace Ferry.Announcement.Interfaces;

/// <summary>What the announcer needs to know of one of the machine's interfaces.</summary>
internal sealed record LinkInterface(
    string Name,
    int Index,
    bool IsUp,
    PhysicalAddress Mac,
    ImmutableArray<InterfaceAddress> Addresses,
    bool HasIpv4DefaultRoute,
    bool HasIpv6DefaultRoute);
