using System.Net;

namespace Ferry.Announcement;

/// <summary>
/// Makes addresses local and claims them on a link (ARP for IPv4, neighbour discovery for IPv6). It knows
/// nothing of which replica should own what: the caller decides and calls <see cref="ClaimAsync"/> and
/// <see cref="ReleaseAsync"/>. Disposing releases every claimed address.
/// </summary>
public interface IAddressAnnouncer : IAsyncDisposable
{
    /// <summary>Creates and brings up the device, and removes every address an earlier run left on it.</summary>
    Task<AnnouncerStartResult> StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes the address local and answers for it on the claim's interfaces, after an optional probe.
    /// Claiming an address already claimed on the same interfaces changes nothing and sends nothing.
    /// Failures are results (<see cref="ClaimOutcome.Failed"/>, <see cref="ClaimOutcome.Conflict"/>); calling it
    /// before <see cref="StartAsync"/> is an <see cref="InvalidOperationException"/>. Claims run one at a time,
    /// so a probing claim holds the others back for up to <see cref="AnnouncerOptions.ProbeWait"/>.
    /// </summary>
    Task<ClaimResult> ClaimAsync(AddressClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// Stops answering ARP / neighbour solicitations for a claimed address and stops announcing it, but keeps
    /// it local: packets that clients still send here (their neighbour entry can point here for a while after
    /// the new owner announced itself) are still accepted and served. <see cref="ClaimAsync"/> of it answers and
    /// announces again (no probe); <see cref="ReleaseAsync"/> removes it. Does nothing for an unclaimed address.
    /// </summary>
    Task StopAnsweringAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the gratuitous rounds of a claim again (all of them, the first at once) for an address claimed and
    /// answered for; does nothing for an unclaimed or silent one. For when another host may have announced the
    /// address since: a replica that had not heard its peers yet and claimed it too. Neighbours ignore an
    /// announcement within <c>locktime</c> of their entry's last update, so only a later round is sure to land.
    /// </summary>
    Task AnnounceAgainAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>Stops answering for the address and removes it from the device; releasing an unclaimed address does nothing.</summary>
    Task ReleaseAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>The addresses claimed now.</summary>
    IReadOnlyCollection<IPAddress> Claimed { get; }
}
