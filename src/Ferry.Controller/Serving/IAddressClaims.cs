using System.Net;

namespace Ferry.Controller.Serving;

/// <summary>
/// Puts an address on this replica's LAN and takes it off again: answering ARP (IPv4) and neighbour
/// solicitations (IPv6) for it, and making it local so the data plane can serve it.
/// </summary>
public interface IAddressClaims
{
    /// <param name="interfaces">The interfaces to announce on; empty lets the implementation choose.</param>
    /// <param name="probe">Check first that no other host on the link uses the address.</param>
    Task<AddressClaimResult> ClaimAsync(IPAddress address, IReadOnlyList<string> interfaces, bool probe, CancellationToken cancellationToken);

    /// <summary>Stops answering for the address and removes it; succeeds when it was not claimed.</summary>
    Task ReleaseAsync(IPAddress address, CancellationToken cancellationToken);
}
