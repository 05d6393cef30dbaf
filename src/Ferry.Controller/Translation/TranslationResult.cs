using Ferry.Contracts;

namespace Ferry.Controller.Translation;

/// <summary>A spec, or the reasons there is none; warnings name what was skipped (e.g. an SCTP port).</summary>
public sealed record TranslationResult(LoadBalancerSpec? Spec, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    public bool Succeeded => Spec is not null;
}
