using System.Collections.Immutable;
using System.Globalization;
using Ferry.Contracts.Announcement;
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
    private static readonly string[] _poolKeys = ["name", "addresses", "namespaces", "autoAssign", "includeNetworkAndBroadcast", "announce", "interfaces"];

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

        // An empty list is a configuration too: the pools then come from AddressPool objects or MetalLB's
        // IPAddressPools (docs/running-in-a-cluster.md, "AddressPool objects").
        var pools = new List<AddressPool>();
        var announcements = new List<PoolAnnouncement>();
        var ranges = new List<(string Path, YamlNode Node, AddressRange Range)>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < poolNodes.Children.Count; i++)
        {
            var path = YamlValueReader.Index("pools", i);
            var pool = ParsePool(reader, poolNodes.Children[i], path, ranges, out var nameNode, out var announcement);
            if (pool is null || announcement is null)
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
            announcements.Add(announcement);
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

        return reader.Errors.Count == 0 ? new AddressPoolsParseResult(pools, []) { Announcements = announcements } : Failure(reader);
    }

    private static AddressPool? ParsePool(
        YamlValueReader reader, YamlNode node, string path, List<(string, YamlNode, AddressRange)> allRanges, out YamlNode? nameNode, out PoolAnnouncement? announcement)
    {
        nameNode = null;
        announcement = null;
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
        var mode = AnnouncementMode.None;
        var interfaces = ImmutableArray<string>.Empty;
        (string Path, YamlNode Node)? interfacesAt = null;
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
                case "announce":
                    mode = ParseMode(reader, value, keyPath) ?? mode;
                    break;
                case "interfaces":
                    interfacesAt = (keyPath, value);
                    interfaces = ParseInterfaces(reader, value, keyPath);
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

        if (interfacesAt is { } at && mode == AnnouncementMode.None && interfaces.Length > 0)
        {
            reader.Error(at.Path, at.Node, "only a pool with \"announce: l2\" is announced on interfaces");
        }

        if (reader.Errors.Count == before && name is not null)
        {
            announcement = new PoolAnnouncement(name, mode, interfaces);
        }

        return reader.Errors.Count == before && name is not null
            ? new AddressPool(name, rangesOfPool.ToImmutable(), namespaces, autoAssign, includeNetworkAndBroadcast)
            : null;
    }

    private static AnnouncementMode? ParseMode(YamlValueReader reader, YamlNode node, string path)
    {
        var text = reader.NonEmptyString(node, path);
        switch (text)
        {
            case null:
                return null;
            case "none":
                return AnnouncementMode.None;
            case "l2":
                return AnnouncementMode.Layer2;
            default:
                reader.Error(path, node, $"unsupported value \"{text}\": supported values: \"none\", \"l2\"");
                return null;
        }
    }

    /// <summary>Interface names as Linux allows them: 1–15 characters, no '/', ':' or white space.</summary>
    private static ImmutableArray<string> ParseInterfaces(YamlValueReader reader, YamlNode node, string path)
    {
        var items = List(reader, node, path);
        var names = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlValueReader.Index(path, i);
            if (reader.NonEmptyString(items[i], itemPath) is not { } name)
            {
                continue;
            }

            if (name.Length > 15 || name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
            {
                reader.Error(itemPath, items[i], $"\"{name}\" is not an interface name (at most 15 characters, no '/', ':' or spaces)");
            }
            else if (names.Contains(name))
            {
                reader.Error(itemPath, items[i], $"interface \"{name}\" is listed twice");
            }
            else
            {
                names.Add(name);
            }
        }

        return names.ToImmutable();
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
