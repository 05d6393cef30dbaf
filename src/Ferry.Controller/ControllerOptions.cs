using Ferry.Controller.Informers;
using Ferry.Controller.Predicates;
using Ferry.Controller.Translation;

namespace Ferry.Controller;

/// <summary>Settings of the service controller.</summary>
public sealed record ControllerOptions
{
    public ClassSelection Classes { get; init; } = ClassSelection.Unset;

    public TranslationOptions Translation { get; init; } = new();

    public InformerOptions Informers { get; init; } = new();

    /// <summary>Services synced at once (upstream's <c>--concurrent-service-syncs</c>, default 1).</summary>
    public int Workers { get; init; } = 1;
}
