namespace Ferry.Controller.Predicates;

/// <summary>
/// A change of a Service that needs a sync (upstream's <c>needsUpdate</c> returned true), and the Normal
/// Event upstream records for it, if any (docs/upstream-semantics.md, "Which changes trigger a sync").
/// </summary>
/// <param name="Reason">The Event's reason (e.g. <c>Type</c>), or null when upstream records none (ports, annotations, ...).</param>
/// <param name="Message">The Event's message, formatted as Go's <c>%v</c> would.</param>
public sealed record ServiceChange(string? Reason, string? Message)
{
    /// <summary>A change that needs a sync but records no Event.</summary>
    public static readonly ServiceChange Silent = new(null, null);

    /// <summary>True when upstream records an Event for this change.</summary>
    public bool HasEvent => Reason is not null;
}
