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
    /// <param name="silent">
    /// Make it local only: neither answer for it nor announce it yet (listeners bind it first); a claim
    /// without <paramref name="silent"/> answers and announces.
    /// </param>
    Task<AddressClaimResult> ClaimAsync(IPAddress address, IReadOnlyList<string> interfaces, bool probe, bool silent, CancellationToken cancellationToken);

    /// <summary>
    /// Stops answering for a claimed address but keeps it local, so clients whose neighbour entry still points
    /// here keep being served while they move to the new owner; <see cref="ClaimAsync"/> answers again,
    /// <see cref="ReleaseAsync"/> removes it.
    /// </summary>
    Task StopAnsweringAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>
    /// Announces an address claimed and answered for again (gratuitous ARP / unsolicited NA, every round), so
    /// neighbours that took another replica's announcement for it since come back; does nothing otherwise.
    /// </summary>
    Task AnnounceAgainAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>Stops answering for the address and removes it; succeeds when it was not claimed.</summary>
    Task ReleaseAsync(IPAddress address, CancellationToken cancellationToken);
}
