using System.Globalization;

namespace Ferry.ApiServer.Selectors;

/// <summary>One clause of a label selector; a selector matches when all its requirements match. Immutable.</summary>
/// <param name="Key">The label key (a qualified name).</param>
/// <param name="Operator">How the key relates to <paramref name="Values"/>.</param>
/// <param name="Values">Sorted, distinct values; empty for <see cref="SelectorOperator.Exists"/> and
/// <see cref="SelectorOperator.DoesNotExist"/>.</param>
public sealed record LabelRequirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    /// <summary>Evaluates this requirement against a label set (a missing set means no labels).</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        string? value = null;
        var has = labels is not null && labels.TryGetValue(Key, out value);
        switch (Operator)
        {
            case SelectorOperator.Equals:
            case SelectorOperator.DoubleEquals:
            case SelectorOperator.In:
                return has && Contains(value!);
            case SelectorOperator.NotEquals:
            case SelectorOperator.NotIn:
                return !has || !Contains(value!);
            case SelectorOperator.Exists:
                return has;
            case SelectorOperator.DoesNotExist:
                return !has;
            case SelectorOperator.GreaterThan:
            case SelectorOperator.LessThan:
                if (!has || Values.Count != 1
                    || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual)
                    || !long.TryParse(Values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }

                return Operator == SelectorOperator.GreaterThan ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    /// <summary>The canonical text form, as upstream's <c>Requirement.String()</c>.</summary>
    public override string ToString()
    {
        var prefix = Operator == SelectorOperator.DoesNotExist ? "!" : string.Empty;
        var joined = string.Join(",", Values);
        return Operator switch
        {
            SelectorOperator.Exists or SelectorOperator.DoesNotExist => prefix + Key,
            SelectorOperator.Equals => Key + "=" + joined,
            SelectorOperator.DoubleEquals => Key + "==" + joined,
            SelectorOperator.NotEquals => Key + "!=" + joined,
            SelectorOperator.In => Key + " in (" + joined + ")",
            SelectorOperator.NotIn => Key + " notin (" + joined + ")",
            SelectorOperator.GreaterThan => Key + ">" + joined,
            SelectorOperator.LessThan => Key + "<" + joined,
            _ => Key,
        };
    }

    private bool Contains(string value)
    {
        foreach (var candidate in Values)
        {
            if (string.Equals(candidate, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
