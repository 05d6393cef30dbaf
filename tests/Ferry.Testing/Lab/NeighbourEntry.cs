using System.Net;
using System.Net.NetworkInformation;

namespace Ferry.Testing.Lab;

/// <summary>A neighbour table entry (<c>ip -j neigh show</c>): the address, its MAC when known, and its states (REACHABLE, STALE, FAILED, ...).</summary>
public sealed record NeighbourEntry(IPAddress Address, string Device, PhysicalAddress? Mac, IReadOnlyList<string> States)
{
    public override string ToString() => $"{Address} dev {Device} lladdr {(Mac is null ? "-" : LinkLayerText.Format(Mac))} {string.Join(',', States)}";
}
