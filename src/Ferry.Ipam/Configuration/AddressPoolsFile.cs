using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ferry.Ipam.Configuration;

/// <summary>
/// Parses the pools file of <c>ferry run</c> (documented in <c>docs/running-in-a-cluster.md</c>) into
/// <see cref="AddressPool"/>s. Pure: it takes text, so the caller owns the I/O.
/// </summary>
/// <remarks>
/// Strict, because a typo silently ignored in an address pool hands out the wrong IPs later: unknown
/// keys, wrong types, bad ranges, duplicate pool names and ranges overlapping anywhere in the file
/// are all errors, reported together, each with its path (<c>pools[0].addresses[1]</c>).
/// </remarks>
public static class AddressPoolsFile
{
    private static readonly string[] _poolKeys = ["name", "addresses", "namespaces", "autoAssign", "includeNetworkAndBroadcast"];

    public static AddressPoolsParseResult Parse(string yaml)
    {
        var errors = new List<string>();
        YamlNode? root;
        try
        {
            var stream = new YamlStream();
            using var reader = new StringReader(yaml);
            stream.Load(reader);
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"line {e.Start.Line}: invalid YAML: {e.Message}"));
            return new AddressPoolsParseResult([], errors);
        }

        if (root is not YamlMappingNode rootMap)
        {
            errors.Add("the file must be a mapping with a \"pools\" list");
            return new AddressPoolsParseResult([], errors);
        }

        YamlSequenceNode? poolNodes = null;
        foreach (var (key, value) in rootMap.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            if (name != "pools")
            {
                errors.Add($"{name}: unknown key (expected \"pools\")");
            }
            else if (value is YamlSequenceNode sequence)
            {
                poolNodes = sequence;
            }
            else
            {
                errors.Add("pools: must be a list");
            }
        }

        if (poolNodes is null)
        {
            if (errors.Count == 0)
            {
                errors.Add("pools: required");
            }

            return new AddressPoolsParseResult([], errors);
        }

        if (poolNodes.Children.Count == 0)
        {
            errors.Add("pools: at least one pool is required");
        }

        var pools = new List<AddressPool>();
        var ranges = new List<(string Path, AddressRange Range)>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < poolNodes.Children.Count; i++)
        {
            var pool = ParsePool(poolNodes.Children[i], string.Create(CultureInfo.InvariantCulture, $"pools[{i}]"), errors, ranges);
            if (pool is null)
            {
                continue;
            }

            if (names.TryGetValue(pool.Name, out var firstPath))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"pools[{i}].name: duplicate pool name \"{pool.Name}\" (also {firstPath})"));
                continue;
            }

            names[pool.Name] = string.Create(CultureInfo.InvariantCulture, $"pools[{i}]");
            pools.Add(pool);
        }

        for (var a = 0; a < ranges.Count; a++)
        {
            for (var b = a + 1; b < ranges.Count; b++)
            {
                if (ranges[a].Range.Overlaps(ranges[b].Range))
                {
                    errors.Add($"{ranges[b].Path}: {ranges[b].Range} overlaps {ranges[a].Range} ({ranges[a].Path})");
                }
            }
        }

        return errors.Count == 0 ? new AddressPoolsParseResult(pools, []) : new AddressPoolsParseResult([], errors);
    }

    private static AddressPool? ParsePool(YamlNode node, string path, List<string> errors, List<(string, AddressRange)> allRanges)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add($"{path}: must be a mapping");
            return null;
        }

        var before = errors.Count;
        string? name = null;
        var rangesOfPool = ImmutableArray.CreateBuilder<AddressRange>();
        var namespaces = ImmutableArray<string>.Empty;
        var autoAssign = true;
        var includeNetworkAndBroadcast = false;
        var sawAddresses = false;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            var keyPath = $"{path}.{key}";
            switch (key)
            {
                case "name":
                    name = Scalar(value, keyPath, errors);
                    if (name is not null && !IsDnsLabel(name))
                    {
                        errors.Add($"{keyPath}: \"{name}\" must be a lowercase DNS label (a-z, 0-9, '-', at most 63 characters)");
                        name = null;
                    }

                    break;
                case "addresses":
                    sawAddresses = true;
                    var items = List(value, keyPath, errors);
                    for (var i = 0; i < items.Count; i++)
                    {
                        var itemPath = string.Create(CultureInfo.InvariantCulture, $"{keyPath}[{i}]");
                        var text = Scalar(items[i], itemPath, errors);
                        if (text is null)
                        {
                            continue;
                        }

                        if (AddressRange.TryParse(text, out var range, out var error))
                        {
                            rangesOfPool.Add(range!);
                            allRanges.Add((itemPath, range!));
                        }
                        else
                        {
                            errors.Add($"{itemPath}: {error}");
                        }
                    }

                    break;
                case "namespaces":
                    var nsItems = List(value, keyPath, errors);
                    var nsBuilder = ImmutableArray.CreateBuilder<string>();
                    for (var i = 0; i < nsItems.Count; i++)
                    {
                        var ns = Scalar(nsItems[i], string.Create(CultureInfo.InvariantCulture, $"{keyPath}[{i}]"), errors);
                        if (ns is not null)
                        {
                            nsBuilder.Add(ns);
                        }
                    }

                    namespaces = nsBuilder.ToImmutable();
                    break;
                case "autoAssign":
                    autoAssign = Bool(value, keyPath, errors) ?? autoAssign;
                    break;
                case "includeNetworkAndBroadcast":
                    includeNetworkAndBroadcast = Bool(value, keyPath, errors) ?? includeNetworkAndBroadcast;
                    break;
                default:
                    errors.Add($"{keyPath}: unknown key (expected one of {string.Join(", ", _poolKeys)})");
                    break;
            }
        }

        if (!map.Children.ContainsKey(new YamlScalarNode("name")))
        {
            errors.Add($"{path}.name: required");
        }

        if (!sawAddresses)
        {
            errors.Add($"{path}.addresses: required");
        }
        else if (rangesOfPool.Count == 0 && errors.Count == before)
        {
            errors.Add($"{path}.addresses: at least one CIDR or range is required");
        }

        return errors.Count == before && name is not null
            ? new AddressPool(name, rangesOfPool.ToImmutable(), namespaces, autoAssign, includeNetworkAndBroadcast)
            : null;
    }

    private static string? Scalar(YamlNode node, string path, List<string> errors)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            return value;
        }

        errors.Add($"{path}: must be a non-empty string");
        return null;
    }

    private static IReadOnlyList<YamlNode> List(YamlNode node, string path, List<string> errors)
    {
        if (node is YamlSequenceNode sequence)
        {
            return [.. sequence.Children];
        }

        if (node is YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain })
        {
            return [];
        }

        errors.Add($"{path}: must be a list");
        return [];
    }

    private static bool? Bool(YamlNode node, string path, List<string> errors)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } scalar)
        {
            return scalar.Value == "true";
        }

        errors.Add($"{path}: must be true or false");
        return null;
    }

    private static bool IsDnsLabel(string name) =>
        name.Length <= 63 && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
