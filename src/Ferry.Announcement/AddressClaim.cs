using System.Collections.Immutable;
using System.Net;

namespace Ferry.Announcement;

/// <summary>
/// A request to claim <paramref name="Address"/> on <paramref name="Interfaces"/> (empty: the interface whose
/// subnet holds the address, else the one with the default route). With <paramref name="Probe"/> the link is
/// checked first (ARP probe / neighbour solicitation) and an answer from another host is a conflict.
/// </summary>
public sealed record AddressClaim(IPAddress Address, ImmutableArray<string> Interfaces, bool Probe);
