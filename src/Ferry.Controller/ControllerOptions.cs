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

    /// <summary>Every problem, each naming its property (nested ones by path); empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Workers < 1)
        {
            problems.Add($"{nameof(Workers)}: must be at least 1");
        }

        problems.AddRange(Translation.Validate().Select(p => $"{nameof(Translation)}.{p}"));
        problems.AddRange(Informers.Validate().Select(p => $"{nameof(Informers)}.{p}"));
        return problems;
    }
}
