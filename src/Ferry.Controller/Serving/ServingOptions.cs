using Ferry.Controller.Predicates;
using Ferry.Controller.Translation;

namespace Ferry.Controller.Serving;

/// <summary>What a replica's <see cref="ServingController"/> needs besides its informers and ports.</summary>
public sealed record ServingOptions
{
    /// <summary>Which Services Ferry serves (<c>loadBalancerClass</c>), as the controller decides it.</summary>
    public ClassSelection Classes { get; init; } = ClassSelection.Unset;

    /// <summary>How a Service becomes a load balancer spec (the same as the controller's).</summary>
    public TranslationOptions Translation { get; init; } = new();

    /// <summary>How often the plan is recomputed with no change seen (and a refused claim retried).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an address handed to another replica stays served here after this replica stops answering
    /// for it: clients whose neighbour entry still points here keep working until the new owner's
    /// announcements reach them. Linux ignores a gratuitous ARP that comes within <c>locktime</c> (1 s) of
    /// the entry's last update, and the announcer repeats its announcements over 1 s, so the default covers
    /// the last repeat plus the handover itself. Zero releases at once.
    /// </summary>
    public TimeSpan HandoverDrain { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the previous owner must have owned an address for its successor to claim it without a probe
    /// (a handover). A replica that became owner only just may still be probing, and may find another host
    /// using the address; its peers hear of such a conflict within a heartbeat. The default covers the probe
    /// (250 ms), a few heartbeats and scheduling.
    /// </summary>
    public TimeSpan HandoverProbeGuard { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Picks the owner of a key among candidates, the same on every replica (rendezvous hashing in
    /// production); it must not depend on the order of the candidates.
    /// </summary>
    public required Func<string, IReadOnlyCollection<string>, string?> ChooseOwner { get; init; }
}
