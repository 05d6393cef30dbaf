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
    /// Picks the owner of a key among candidates, the same on every replica (rendezvous hashing in
    /// production); it must not depend on the order of the candidates.
    /// </summary>
    public required Func<string, IReadOnlyCollection<string>, string?> ChooseOwner { get; init; }
}
