using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using Ferry.Contracts;
using Ferry.Contracts.Addressing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ferry.Configuration;

/// <summary>
/// The strict YAML reader behind Ferry's config files (the <c>ferry proxy</c> file and the pools file):
/// reads typed values out of YAML nodes and collects an error (with path and position) for every value
/// that does not fit, so one pass over the document reports all problems at once.
/// </summary>
/// <remarks>
/// A null result always means "absent or invalid"; in the invalid case an error has been recorded.
/// Strict because a typo silently ignored in a config file is an outage found later.
/// </remarks>
public sealed class YamlValueReader
{
    private readonly List<ConfigError> _errors = [];

    public IReadOnlyList<ConfigError> Errors => _errors;

    public void Error(string path, YamlNode? node, string message) =>
        _errors.Add(new ConfigError(path, message, (int)(node?.Start.Line ?? 0), (int)(node?.Start.Column ?? 0)));

    /// <summary>
    /// Loads the root node of every document in <paramref name="yaml"/>; on a syntax error returns false
    /// with the error (its <see cref="YamlException.Start"/> locates it). Never throws for bad input.
    /// </summary>
    public static bool TryLoad(string yaml, out IReadOnlyList<YamlNode> roots, [NotNullWhen(false)] out YamlException? syntaxError)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(yaml);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            roots = [];
            syntaxError = e;
            return false;
        }

        roots = [.. stream.Documents.Select(d => d.RootNode)];
        syntaxError = null;
        return true;
    }

    /// <summary>A plain <c>~</c>, <c>null</c> or empty value: YAML's null, treated as "key not given".</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Tag.IsEmpty
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>
    /// Opens a mapping: records an error for every key that is not in <paramref name="allowedKeys"/>
    /// (with a "did you mean" hint) and returns the known keys' values, null values left out.
    /// </summary>
    public Dictionary<string, YamlNode>? Mapping(YamlNode node, string path, IReadOnlyList<string> allowedKeys)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(path, node, $"must be a mapping with keys {string.Join(", ", allowedKeys)}");
            return null;
        }

        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, keyPath, keyNode, valueNode) in Entries(mapping, path))
        {
            if (!allowedKeys.Contains(key, StringComparer.Ordinal))
            {
                var hint = Suggest(key, allowedKeys);
                Error(keyPath, keyNode, hint is null
                    ? $"unknown key (allowed: {string.Join(", ", allowedKeys)})"
                    : $"unknown key, did you mean {hint}? (allowed: {string.Join(", ", allowedKeys)})");
                continue;
            }

            if (!IsNull(valueNode))
            {
                values[key] = valueNode;
            }
        }

        return values;
    }

    /// <summary>
    /// Every entry of a mapping, null values included, in document order, for readers that word their own
    /// "unknown key" errors; records an error for every key that is not a plain string and skips it.
    /// </summary>
    public IEnumerable<(string Key, string KeyPath, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode mapping, string path)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                Error(path, keyNode, "keys must be plain strings");
                continue;
            }

            yield return (key, Join(path, key), keyNode, valueNode);
        }
    }

    public IReadOnlyList<YamlNode>? Sequence(YamlNode node, string path)
    {
        if (node is YamlSequenceNode sequence)
        {
            return [.. sequence.Children];
        }

        Error(path, node, "must be a list");
        return null;
    }

    public string? Text(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } value })
        {
            return value;
        }

        Error(path, node, "must be a string");
        return null;
    }

    /// <summary>A string that is not empty.</summary>
    public string? NonEmptyString(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            return value;
        }

        Error(path, node, "must be a non-empty string");
        return null;
    }

    /// <summary>A plain <c>true</c> or <c>false</c>; YAML 1.1's <c>yes</c>, <c>on</c> and quoted strings are errors.</summary>
    public bool? Boolean(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } scalar)
        {
            return scalar.Value == "true";
        }

        Error(path, node, "must be true or false");
        return null;
    }

    public int? WholeNumber(YamlNode node, string path, int min, int max)
    {
        if (node is not YamlScalarNode { Value: { } text }
            || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(path, node, $"must be a whole number between {min} and {max}");
            return null;
        }

        if (value < min || value > max)
        {
            Error(path, node, $"must be between {min} and {max}");
            return null;
        }

        return (int)value;
    }

    /// <summary>A duration given in seconds; fractions are allowed (<c>0.5</c>).</summary>
    public TimeSpan? Seconds(YamlNode node, string path, double min, double max, bool minExclusive = false)
    {
        var range = minExclusive
            ? $"greater than {Format(min)} and at most {Format(max)}"
            : $"between {Format(min)} and {Format(max)}";
        if (node is not YamlScalarNode { Value: { } text }
            || !double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            Error(path, node, $"must be a number of seconds {range}");
            return null;
        }

        if (value > max || value < min || (minExclusive && value <= min))
        {
            Error(path, node, $"must be {range}");
            return null;
        }

        return TimeSpan.FromSeconds(value);
    }

    /// <summary>One of a fixed set of names, matched ignoring case; the error lists the allowed names.</summary>
    public T? Enum<T>(YamlNode node, string path, EnumNames<T> names)
        where T : struct, System.Enum
    {
        if (node is YamlScalarNode { Value: { } text } && names.TryParse(text, out var value))
        {
            return value;
        }

        var got = node is YamlScalarNode { Value: { } shown } ? $"\"{shown}\" is not valid; " : string.Empty;
        Error(path, node, $"{got}must be one of {string.Join(", ", names.All)}");
        return null;
    }

    /// <summary>An IPv4 address in dotted-quad form or an IPv6 address; no host names, no shorthand like <c>127.1</c>.</summary>
    public IPAddress? Address(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } text } && NetworkText.TryParseAddress(text, out var address))
        {
            return address;
        }

        Error(path, node, "must be an IP address (like 127.0.0.1 or ::1)");
        return null;
    }

    /// <summary>A CIDR (<c>10.0.0.0/8</c>) or a single address (a /32 or /128).</summary>
    public IPNetwork? Network(YamlNode node, string path)
    {
        if (node is not YamlScalarNode { Value: { } text })
        {
            Error(path, node, "must be a CIDR like 10.0.0.0/8");
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!NetworkText.TryParseAddress(slash < 0 ? text : text[..slash], out var address))
        {
            Error(path, node, $"\"{text}\" is not a CIDR like 10.0.0.0/8");
            return null;
        }

        var maxPrefix = NetworkText.MaxPrefixLength(address.AddressFamily);
        var prefix = maxPrefix;
        if (slash >= 0 && !NetworkText.TryParsePrefixLength(text.AsSpan(slash + 1), address.AddressFamily, out prefix))
        {
            Error(path, node, $"\"{text}\" has an invalid prefix length (0 to {maxPrefix})");
            return null;
        }

        var network = NetworkText.ToNetwork(address, prefix);
        if (!network.BaseAddress.Equals(address))
        {
            Error(path, node, $"\"{text}\" has host bits set; did you mean {network}?");
            return null;
        }

        return network;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Index(string path, int index) => $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]";

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The allowed key closest to a misspelt one: a case-only difference, a prefix (<c>interval</c>), or edit distance at most 2.</summary>
    private static string? Suggest(string key, IReadOnlyList<string> allowedKeys)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in allowedKeys)
        {
            var distance = string.Equals(candidate, key, StringComparison.OrdinalIgnoreCase) ? 0
                : key.Length >= 4 && candidate.StartsWith(key, StringComparison.OrdinalIgnoreCase) ? 1
                : Distance(key, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
