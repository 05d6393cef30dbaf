namespace Ferry.Contracts;

/// <summary>
/// The names users write for the values of an enum (in YAML, annotations and flags), so every reader
/// accepts the same spellings and every error message lists the same choices.
/// </summary>
/// <remarks>Names are matched ignoring case, and exactly otherwise: no numbers, no surrounding spaces.</remarks>
public sealed class EnumNames<T>
    where T : struct, Enum
{
    private readonly (T Value, string Name)[] _names;

    public EnumNames(params (T Value, string Name)[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _names = names;
        All = [.. names.Select(n => n.Name)];
    }

    /// <summary>Every valid name, in the order error messages list them.</summary>
    public IReadOnlyList<string> All { get; }

    /// <summary>The name of a value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value has no name.</exception>
    public string ToName(T value)
    {
        foreach (var (candidate, name) in _names)
        {
            if (EqualityComparer<T>.Default.Equals(candidate, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, $"{typeof(T).Name} {value} has no name");
    }

    /// <summary>The value named by <paramref name="text"/>, ignoring case.</summary>
    public bool TryParse(string? text, out T value)
    {
        foreach (var (candidate, name) in _names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
