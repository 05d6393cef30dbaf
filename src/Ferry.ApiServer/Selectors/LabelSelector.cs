namespace Ferry.ApiServer.Selectors;

/// <summary>
/// A parsed label selector (the <c>labelSelector</c> query parameter), with the syntax and validation of
/// apimachinery <c>labels.Parse</c>: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>,
/// <c>k</c>, <c>!k</c>, <c>k&gt;n</c>, <c>k&lt;n</c>, comma meaning AND, whitespace ignored between tokens.
/// </summary>
/// <remarks>Immutable and thread-safe once parsed; parse once per request and share freely.</remarks>
public sealed class LabelSelector
{
    private LabelSelector(IReadOnlyList<LabelRequirement> requirements)
    {
        Requirements = requirements;
    }

    /// <summary>The selector that matches every object (an empty or absent <c>labelSelector</c>).</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>The requirements, sorted by key (stable) as upstream does.</summary>
    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>True when the selector does not restrict anything.</summary>
    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>Parses a selector; <see langword="null"/>, empty or blank means <see cref="Everything"/>.</summary>
    /// <exception cref="SelectorParseException">The text is not a valid selector.</exception>
    public static LabelSelector Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return Everything;
        }

        var requirements = new LabelSelectorParser(selector).Parse();
        if (requirements.Count == 0)
        {
            return Everything;
        }

        // Stable sort by key (upstream sorts with sort.Sort, which is not stable; order does not change the meaning).
        var sorted = requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        return new LabelSelector(sorted);
    }

    /// <summary>Builds an equality selector from a map, as a Service's <c>spec.selector</c> or <c>matchLabels</c>.</summary>
    public static LabelSelector FromSet(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0)
        {
            return Everything;
        }

        return new LabelSelector(labels
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new LabelRequirement(p.Key, SelectorOperator.Equals, [p.Value]))
            .ToArray());
    }

    /// <summary>True when every requirement matches <paramref name="labels"/> (null means no labels).</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The canonical text form (requirements joined by commas).</summary>
    public override string ToString() => string.Join(",", Requirements.Select(r => r.ToString()));
}
