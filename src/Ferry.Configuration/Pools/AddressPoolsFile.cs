using System.Collections.Immutable;
using System.Globalization;
using Ferry.Ipam;
using YamlDotNet.RepresentationModel;

namespace Ferry.Configuration.Pools;

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
        if (!YamlValueReader.TryLoad(yaml, out var roots, out var syntaxError))
        {
            return Failure(string.Create(CultureInfo.InvariantCulture, $"line {syntaxError.Start.Line}: invalid YAML: {syntaxError.Message}"));
        }

        if (roots.Count == 0 || roots[0] is not YamlMappingNode rootMap)
        {
            return Failure("the file must be a mapping with a \"pools\" list");
        }

        var reader = new YamlValueReader();
        YamlSequenceNode? poolNodes = null;
        foreach (var (key, keyPath, keyNode, value) in reader.Entries(rootMap, string.Empty))
        {
            if (key != "pools")
            {
                reader.Error(keyPath, keyNode, "unknown key (expected \"pools\")");
            }
            else if (value is YamlSequenceNode sequence)
            {
                poolNodes = sequence;
            }
            else
            {
                reader.Error(keyPath, value, "must be a list");
            }
        }

        if (poolNodes is null)
        {
            if (reader.Errors.Count == 0)
            {
                reader.Error("pools", rootMap, "required");
            }

            return Failure(reader);
        }

        if (poolNodes.Children.Count == 0)
        {
            reader.Error("pools", poolNodes, "at least one pool is required");
        }

        var pools = new List<AddressPool>();
        var ranges = new List<(string Path, YamlNode Node, AddressRange Range)>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < poolNodes.Children.Count; i++)
        {
            var path = YamlValueReader.Index("pools", i);
            var pool = ParsePool(reader, poolNodes.Children[i], path, ranges, out var nameNode);
            if (pool is null)
            {
                continue;
            }

            if (names.TryGetValue(pool.Name, out var firstPath))
            {
                reader.Error($"{path}.name", nameNode, $"duplicate pool name \"{pool.Name}\" (also {firstPath})");
                continue;
            }

            names[pool.Name] = path;
            pools.Add(pool);
        }

        for (var a = 0; a < ranges.Count; a++)
        {
            for (var b = a + 1; b < ranges.Count; b++)
            {
                if (ranges[a].Range.Overlaps(ranges[b].Range))
                {
                    reader.Error(ranges[b].Path, ranges[b].Node, $"{ranges[b].Range} overlaps {ranges[a].Range} ({ranges[a].Path})");
                }
            }
        }

        return reader.Errors.Count == 0 ? new AddressPoolsParseResult(pools, []) : Failure(reader);
    }

    private static AddressPool? ParsePool(
        YamlValueReader reader, YamlNode node, string path, List<(string, YamlNode, AddressRange)> allRanges, out YamlNode? nameNode)
    {
        nameNode = null;
        if (node is not YamlMappingNode map)
        {
            reader.Error(path, node, "must be a mapping");
            return null;
        }

        var before = reader.Errors.Count;
        string? name = null;
        var rangesOfPool = ImmutableArray.CreateBuilder<AddressRange>();
        var namespaces = ImmutableArray<string>.Empty;
        var autoAssign = true;
        var includeNetworkAndBroadcast = false;
        var sawName = false;
        var sawAddresses = false;
        foreach (var (key, keyPath, keyNode, value) in reader.Entries(map, path))
        {
            switch (key)
            {
                case "name":
                    (sawName, nameNode) = (true, value);
                    name = reader.NonEmptyString(value, keyPath);
                    if (name is not null && !IsDnsLabel(name))
                    {
                        reader.Error(keyPath, value, $"\"{name}\" must be a lowercase DNS label (a-z, 0-9, '-', at most 63 characters)");
                        name = null;
                    }

                    break;
                case "addresses":
                    sawAddresses = true;
                    var items = List(reader, value, keyPath);
                    for (var i = 0; i < items.Count; i++)
                    {
                        var itemPath = YamlValueReader.Index(keyPath, i);
                        var text = reader.NonEmptyString(items[i], itemPath);
                        if (text is null)
                        {
                            continue;
                        }

                        if (AddressRange.TryParse(text, out var range, out var error))
                        {
                            rangesOfPool.Add(range!);
                            allRanges.Add((itemPath, items[i], range!));
                        }
                        else
                        {
                            reader.Error(itemPath, items[i], error!);
                        }
                    }

                    break;
                case "namespaces":
                    var nsItems = List(reader, value, keyPath);
                    var nsBuilder = ImmutableArray.CreateBuilder<string>();
                    for (var i = 0; i < nsItems.Count; i++)
                    {
                        if (reader.NonEmptyString(nsItems[i], YamlValueReader.Index(keyPath, i)) is { } ns)
                        {
                            nsBuilder.Add(ns);
                        }
                    }

                    namespaces = nsBuilder.ToImmutable();
                    break;
                case "autoAssign":
                    autoAssign = reader.Boolean(value, keyPath) ?? autoAssign;
                    break;
                case "includeNetworkAndBroadcast":
                    includeNetworkAndBroadcast = reader.Boolean(value, keyPath) ?? includeNetworkAndBroadcast;
                    break;
                default:
                    reader.Error(keyPath, keyNode, $"unknown key (expected one of {string.Join(", ", _poolKeys)})");
                    break;
            }
        }

        if (!sawName)
        {
            reader.Error($"{path}.name", node, "required");
        }

        if (!sawAddresses)
        {
            reader.Error($"{path}.addresses", node, "required");
        }
        else if (rangesOfPool.Count == 0 && reader.Errors.Count == before)
        {
            reader.Error($"{path}.addresses", node, "at least one CIDR or range is required");
        }

        return reader.Errors.Count == before && name is not null
            ? new AddressPool(name, rangesOfPool.ToImmutable(), namespaces, autoAssign, includeNetworkAndBroadcast)
            : null;
    }

    /// <summary>A list; an empty value (<c>addresses:</c>) reads as an empty list.</summary>
    private static IReadOnlyList<YamlNode> List(YamlValueReader reader, YamlNode node, string path) =>
        YamlValueReader.IsNull(node) ? [] : reader.Sequence(node, path) ?? [];

    private static bool IsDnsLabel(string name) =>
        name.Length <= 63 && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static AddressPoolsParseResult Failure(string error) => new([], [error]);

    /// <summary>Errors as <c>path: message</c>, in the order found.</summary>
    private static AddressPoolsParseResult Failure(YamlValueReader reader) => new([], [.. reader.Errors.Select(e => e.ToString())]);
}
