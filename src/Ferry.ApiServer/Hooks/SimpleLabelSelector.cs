namespace Ferry.ApiServer.Hooks;

/// <summary>
/// A small label selector (<c>=</c>, <c>==</c>, <c>!=</c>, exists, <c>!</c>, <c>in</c>, <c>notin</c>) used until
/// the full implementation in <c>Ferry.ApiServer.Selectors</c> is wired in through <see cref="SelectorHook"/>.
/// </summary>
internal sealed class SimpleLabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    private SimpleLabelSelector()
    {
    }

    /// <summary>Parses a selector; throws <see cref="FormatException"/> on bad syntax.</summary>
    public static SimpleLabelSelector Parse(string text)
    {
        var s = new SimpleLabelSelector();
        foreach (var raw in SplitTopLevel(text))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            s._requirements.Add(ParseRequirement(part));
        }

        return s;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.TrueForAll(r => r(labels));

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseRequirement(string part)
    {
        if (part.StartsWith('!'))
        {
            var key = CheckKey(part[1..].Trim());
            return l => !l.ContainsKey(key);
        }

        var words = part.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 2 && (words[1].StartsWith("in", StringComparison.Ordinal) || words[1].StartsWith("notin", StringComparison.Ordinal)))
        {
            var negate = words[1].StartsWith("notin", StringComparison.Ordinal);
            var rest = words[1][(negate ? 5 : 2)..].Trim();
            if (!rest.StartsWith('(') || !rest.EndsWith(')'))
            {
                throw new FormatException("found '" + rest + "', expected: '('");
            }

            var key = CheckKey(words[0]);
            var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries).Where(v => v.Length > 0).ToHashSet(StringComparer.Ordinal);
            return negate
                ? l => !l.TryGetValue(key, out var v) || !values.Contains(v)
                : l => l.TryGetValue(key, out var v) && values.Contains(v);
        }

        foreach (var op in new[] { "!=", "==", "=" })
        {
            var i = part.IndexOf(op, StringComparison.Ordinal);
            if (i > 0)
            {
                var key = CheckKey(part[..i].Trim());
                var value = part[(i + op.Length)..].Trim();
                return op == "!="
                    ? l => !l.TryGetValue(key, out var v) || v != value
                    : l => l.TryGetValue(key, out var v) && v == value;
            }
        }

        var existsKey = CheckKey(part);
        return l => l.ContainsKey(existsKey);
    }

    private static string CheckKey(string key)
    {
        if (key.Length == 0 || key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/')))
        {
            throw new FormatException("invalid label key \"" + key + "\"");
        }

        return key;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
                default:
                    break;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }
}
