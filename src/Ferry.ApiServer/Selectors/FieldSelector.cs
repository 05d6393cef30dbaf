using System.Globalization;
using System.Text;

namespace Ferry.ApiServer.Selectors;

/// <summary>
/// A parsed field selector (the <c>fieldSelector</c> query parameter), with the syntax of apimachinery
/// <c>fields.ParseSelector</c>: comma-separated <c>field=value</c>, <c>field==value</c>, <c>field!=value</c> terms
/// (AND), where <c>\,</c>, <c>\=</c> and <c>\\</c> escape characters inside values.
/// </summary>
/// <remarks>
/// Immutable and thread-safe once parsed. Which fields exist is the caller's business: check each
/// <see cref="Requirements"/> entry against <see cref="FieldSelectorFields.For(string)"/> and answer
/// <c>400 field label not supported: X</c> otherwise. One deliberate leniency: whitespace around a field name is
/// trimmed (upstream would then reject the name as unsupported); values are kept exactly.
/// </remarks>
public sealed class FieldSelector
{
    private FieldSelector(IReadOnlyList<FieldRequirement> requirements)
    {
        Requirements = requirements;
    }

    /// <summary>The selector that matches everything.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The clauses, sorted by their text as upstream sorts terms.</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; }

    /// <summary>True when the selector does not restrict anything.</summary>
    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>Parses a field selector; <see langword="null"/> or empty means <see cref="Everything"/>.</summary>
    /// <exception cref="SelectorParseException">A term has no operator or a value is badly escaped.</exception>
    public static FieldSelector Parse(string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return Everything;
        }

        var parts = SplitTerms(selector);
        parts.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>();
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }

            if (!SplitTerm(part, out var field, out var op, out var rawValue))
            {
                throw new SelectorParseException($"invalid selector: '{selector}'; can't understand '{part}'");
            }

            requirements.Add(new FieldRequirement(field.Trim(), op, UnescapeValue(rawValue)));
        }

        return requirements.Count == 0 ? Everything : new FieldSelector(requirements);
    }

    /// <summary>True when every clause matches; <paramref name="fieldValue"/> returns null for a missing field.</summary>
    public bool Matches(Func<string, string?> fieldValue)
    {
        ArgumentNullException.ThrowIfNull(fieldValue);
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(fieldValue(requirement.Field)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value <paramref name="field"/> must equal for any match, if the selector pins one.</summary>
    public string? RequiresExactMatch(string field)
    {
        foreach (var requirement in Requirements)
        {
            if (requirement.Field == field && requirement.Operator != SelectorOperator.NotEquals)
            {
                return requirement.Value;
            }
        }

        return null;
    }

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> in a value (upstream <c>EscapeValue</c>).</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value
            .Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace(",", "\\,", StringComparison.Ordinal)
            .Replace("=", "\\=", StringComparison.Ordinal);
    }

    /// <summary>Decodes an escaped value, rejecting unknown escapes and bare <c>,</c> or <c>=</c>.</summary>
    /// <exception cref="SelectorParseException">The value is badly escaped.</exception>
    public static string UnescapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        var inSlash = false;
        foreach (var rune in value.EnumerateRunes())
        {
            if (inSlash)
            {
                if (rune.Value is '\\' or ',' or '=')
                {
                    builder.Append(rune.ToString());
                    inSlash = false;
                    continue;
                }

                throw new SelectorParseException("invalid field selector: invalid escape sequence: \\" + rune);
            }

            switch (rune.Value)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',':
                case '=':
                    // Upstream formats the rune with %v, which prints its code point.
                    throw new SelectorParseException("invalid field selector: unescaped character in value: "
                        + rune.Value.ToString(CultureInfo.InvariantCulture));
                default:
                    builder.Append(rune.ToString());
                    break;
            }
        }

        if (inSlash)
        {
            throw new SelectorParseException("invalid field selector: invalid escape sequence: \\");
        }

        return builder.ToString();
    }

    public override string ToString() => string.Join(",", Requirements.Select(r => r.ToString()));

    private static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>();
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            if (selector[i] == '\\' && i + 1 < selector.Length)
            {
                i++;
                continue;
            }

            if (selector[i] == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }

        terms.Add(selector[start..]);
        return terms;
    }

    private static bool SplitTerm(string term, out string field, out SelectorOperator op, out string value)
    {
        for (var i = 0; i < term.Length; i++)
        {
            if (term[i] == '\\')
            {
                i++;
                continue;
            }

            var rest = term.AsSpan(i);
            if (rest.StartsWith("!=", StringComparison.Ordinal))
            {
                (field, op, value) = (term[..i], SelectorOperator.NotEquals, term[(i + 2)..]);
                return true;
            }

            if (rest.StartsWith("==", StringComparison.Ordinal))
            {
                (field, op, value) = (term[..i], SelectorOperator.DoubleEquals, term[(i + 2)..]);
                return true;
            }

            if (rest.StartsWith("=", StringComparison.Ordinal))
            {
                (field, op, value) = (term[..i], SelectorOperator.Equals, term[(i + 1)..]);
                return true;
            }
        }

        (field, op, value) = (string.Empty, SelectorOperator.Equals, string.Empty);
        return false;
    }
}
