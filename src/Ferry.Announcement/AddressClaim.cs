using System.Collections.Immutable;
using System.Net;

namespace Ferry.Announcement;

/// <summary>
/// A request to claim <paramref name="Address"/> on <paramref name="Interfaces"/> (empty: the interface whose
/// subnet holds the address, else the one with the default route). With <paramref name="Probe"/> the link is
/// checked first (ARP probe / neighbour solicitation) and an answer from another host is a conflict.
/// With <paramref name="Silent"/> the address is made local but neither answered for nor announced yet, so
/// listeners can bind it before clients are told to come; claiming it again without <paramref name="Silent"/>
/// answers and announces.
/// </summary>
public sealed record AddressClaim(IPAddress Address, ImmutableArray<string> Interfaces, bool Probe, bool Silent = false);
