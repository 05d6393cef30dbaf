using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Ferry.Configuration;
using Ferry.Contracts;
using YamlDotNet.RepresentationModel;

namespace Ferry.Standalone.Configuration;

/// <summary>
/// Turns the standalone balancer's YAML file (documented in <c>docs/proxy-config.md</c>) into
/// <see cref="LoadBalancerSpec"/>s keyed by <see cref="LoadBalancerKey.Standalone"/>.
/// </summary>
/// <remarks>
/// Pure and strict: unknown keys, wrong types, out-of-range numbers, unknown enum names, duplicate
/// names and clashing listeners are all errors, reported together with the exact path and position,
/// because a typo silently ignored in a load balancer's config is an outage found later.
/// </remarks>
public static partial class StandaloneConfigParser
{
    private static readonly string[] _rootKeys = ["dataPlane", "loadBalancers"];

    private static readonly string[] _loadBalancerKeys =
    [
        "name", "addresses", "algorithm", "sourceRanges", "proxyProtocol", "sessionAffinity",
        "drainTimeoutSeconds", "tcpIdleTimeoutSeconds", "udpIdleTimeoutSeconds", "maxUdpFlows", "listeners",
    ];

    private static readonly string[] _sessionAffinityKeys = ["timeoutSeconds"];

    /// <summary>Parses a whole file's text. Never throws for bad input: every problem is in the result's errors.</summary>
    public static StandaloneConfigParseResult Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (!YamlValueReader.TryLoad(yaml, out var roots, out var syntaxError))
        {
            var message = syntaxError.InnerException is { } inner ? $"{syntaxError.Message} {inner.Message}" : syntaxError.Message;
            return StandaloneConfigParseResult.Failure(
                [new ConfigError(string.Empty, $"YAML syntax error: {message}", (int)syntaxError.Start.Line, (int)syntaxError.Start.Column)]);
        }

        if (roots.Count == 0)
        {
            return StandaloneConfigParseResult.Failure(
                [new ConfigError(string.Empty, "the file is empty; expected a mapping with the key loadBalancers (write \"loadBalancers: []\" for none)")]);
        }

        if (roots.Count > 1)
        {
            var second = roots[1];
            return StandaloneConfigParseResult.Failure(
                [new ConfigError(string.Empty, "the file holds more than one YAML document (\"---\"); expected exactly one", (int)second.Start.Line, (int)second.Start.Column)]);
        }

        var reader = new YamlValueReader();
        var specs = ReadRoot(reader, roots[0], out var dataPlane);
        return reader.Errors.Count == 0
            ? StandaloneConfigParseResult.Success(specs, dataPlane)
            : StandaloneConfigParseResult.Failure([.. reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
    }

    private static List<LoadBalancerSpec> ReadRoot(YamlValueReader reader, YamlNode root, out DataPlaneMode? dataPlane)
    {
        var specs = new List<LoadBalancerSpec>();
        dataPlane = null;
        var map = reader.Mapping(root, string.Empty, _rootKeys);
        if (map is null)
        {
            return specs;
        }

        dataPlane = Optional(map, "dataPlane", n => reader.Enum(n, "dataPlane", DataPlaneModeNames.Table));

        if (!map.TryGetValue("loadBalancers", out var listNode))
        {
            reader.Error("loadBalancers", root, "required (write \"loadBalancers: []\" for none)");
            return specs;
        }

        var items = reader.Sequence(listNode, "loadBalancers");
        if (items is null)
        {
            return specs;
        }

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var sockets = new List<(IPAddress Address, TransportProtocol Protocol, int Port, int LoadBalancer)>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = YamlValueReader.Index("loadBalancers", i);
            var spec = ReadLoadBalancer(reader, items[i], path, out var nameNode);
            if (spec is null)
            {
                continue;
            }

            if (names.TryGetValue(spec.Key.Name, out var first))
            {
                reader.Error($"{path}.name", nameNode, $"duplicate name \"{spec.Key.Name}\" (also loadBalancers[{first.ToString(CultureInfo.InvariantCulture)}])");
                continue;
            }

            names.Add(spec.Key.Name, i);
            CheckSocketClashes(reader, spec, items[i], path, i, sockets);
            specs.Add(spec);
        }

        return specs;
    }

    private static LoadBalancerSpec? ReadLoadBalancer(YamlValueReader reader, YamlNode node, string path, out YamlNode? nameNode)
    {
        nameNode = null;
        var map = reader.Mapping(node, path, _loadBalancerKeys);
        if (map is null)
        {
            return null;
        }

        var errorsBefore = reader.Errors.Count;
        string? name = null;
        if (!map.TryGetValue("name", out nameNode))
        {
            reader.Error($"{path}.name", node, "required");
        }
        else if (reader.Text(nameNode, $"{path}.name") is { } text)
        {
            if (NamePattern().IsMatch(text))
            {
                name = text;
            }
            else
            {
                reader.Error($"{path}.name", nameNode, "must be 1 to 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit");
            }
        }

        var addresses = ReadAddresses(reader, map, node, path);
        var sourceRanges = ReadSourceRanges(reader, map, path);
        var listeners = ReadListeners(reader, map, node, path);

        var defaults = new LoadBalancerSettings();
        var spec = new LoadBalancerSpec
        {
            Key = LoadBalancerKey.Standalone(name ?? "?"),
            Addresses = addresses,
            Listeners = listeners,
            Settings = new LoadBalancerSettings
            {
                SourceRanges = sourceRanges,
                Algorithm = Optional(map, "algorithm", n => reader.Enum(n, $"{path}.algorithm", BalancingAlgorithmNames.Table)) ?? defaults.Algorithm,
                ProxyProtocol = Optional(map, "proxyProtocol", n => reader.Enum(n, $"{path}.proxyProtocol", ProxyProtocolVersionNames.Table)) ?? defaults.ProxyProtocol,
                SessionAffinity = map.TryGetValue("sessionAffinity", out var affinityNode) ? ReadSessionAffinity(reader, affinityNode, $"{path}.sessionAffinity") : null,
                DrainTimeout = Optional(map, "drainTimeoutSeconds", n => reader.Seconds(n, $"{path}.drainTimeoutSeconds", 0, 3600)) ?? defaults.DrainTimeout,
                TcpIdleTimeout = Optional(map, "tcpIdleTimeoutSeconds", n => reader.Seconds(n, $"{path}.tcpIdleTimeoutSeconds", 1, 86400)) ?? defaults.TcpIdleTimeout,
                UdpIdleTimeout = Optional(map, "udpIdleTimeoutSeconds", n => reader.Seconds(n, $"{path}.udpIdleTimeoutSeconds", 1, 86400)) ?? defaults.UdpIdleTimeout,
                MaxUdpFlows = Optional(map, "maxUdpFlows", n => reader.WholeNumber(n, $"{path}.maxUdpFlows", 1, 10_000_000)) ?? defaults.MaxUdpFlows,
            },
        };

        return reader.Errors.Count == errorsBefore ? spec : null;
    }

    private static EquatableArray<IPAddress> ReadAddresses(YamlValueReader reader, Dictionary<string, YamlNode> map, YamlNode node, string path)
    {
        var listPath = $"{path}.addresses";
        if (!map.TryGetValue("addresses", out var listNode))
        {
            reader.Error(listPath, node, "required: at least one IP address to listen on");
            return [];
        }

        var items = reader.Sequence(listNode, listPath);
        if (items is null)
        {
            return [];
        }

        if (items.Count == 0)
        {
            reader.Error(listPath, listNode, "must list at least one IP address");
        }

        var addresses = new List<IPAddress>();
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlValueReader.Index(listPath, i);
            if (reader.Address(items[i], itemPath) is not { } address)
            {
                continue;
            }

            if (addresses.Contains(address))
            {
                reader.Error(itemPath, items[i], $"duplicate address {address}");
                continue;
            }

            addresses.Add(address);
        }

        return addresses.ToEquatableArray();
    }

    private static EquatableArray<IPNetwork> ReadSourceRanges(YamlValueReader reader, Dictionary<string, YamlNode> map, string path)
    {
        var listPath = $"{path}.sourceRanges";
        if (!map.TryGetValue("sourceRanges", out var listNode) || reader.Sequence(listNode, listPath) is not { } items)
        {
            return [];
        }

        var ranges = new List<IPNetwork>();
        for (var i = 0; i < items.Count; i++)
        {
            if (reader.Network(items[i], YamlValueReader.Index(listPath, i)) is { } network && !ranges.Contains(network))
            {
                ranges.Add(network);
            }
        }

        return ranges.ToEquatableArray();
    }

    private static SessionAffinitySpec? ReadSessionAffinity(YamlValueReader reader, YamlNode node, string path)
    {
        var map = reader.Mapping(node, path, _sessionAffinityKeys);
        if (map is null)
        {
            return null;
        }

        var timeout = Optional(map, "timeoutSeconds", n => reader.Seconds(n, $"{path}.timeoutSeconds", 1, 86400));
        return new SessionAffinitySpec(timeout ?? SessionAffinitySpec.DefaultTimeout);
    }

    /// <summary>
    /// Two load balancers cannot both listen on one address, protocol and port; a wildcard address
    /// (0.0.0.0, ::) clashes with every address of its family, as bind(2) does.
    /// </summary>
    private static void CheckSocketClashes(
        YamlValueReader reader,
        LoadBalancerSpec spec,
        YamlNode node,
        string path,
        int index,
        List<(IPAddress Address, TransportProtocol Protocol, int Port, int LoadBalancer)> sockets)
    {
        for (var l = 0; l < spec.Listeners.Length; l++)
        {
            var listener = spec.Listeners[l];
            foreach (var address in spec.Addresses)
            {
                var clash = sockets.FindIndex(s => s.Protocol == listener.Protocol && s.Port == listener.Port && Overlaps(s.Address, address));
                if (clash >= 0)
                {
                    var other = sockets[clash];
                    var listenerNode = node is YamlMappingNode map && map.Children.TryGetValue("listeners", out var ls) && ls is YamlSequenceNode seq && l < seq.Children.Count
                        ? seq.Children[l]
                        : node;
                    reader.Error(
                        $"{YamlValueReader.Index($"{path}.listeners", l)}.port",
                        listenerNode,
                        $"{Describe(address, listener)} clashes with {Describe(other.Address, listener)} of loadBalancers[{other.LoadBalancer.ToString(CultureInfo.InvariantCulture)}]");
                    break;
                }
            }
        }

        foreach (var listener in spec.Listeners)
        {
            foreach (var address in spec.Addresses)
            {
                sockets.Add((address, listener.Protocol, listener.Port, index));
            }
        }
    }

    private static bool Overlaps(IPAddress a, IPAddress b) =>
        a.AddressFamily == b.AddressFamily && (a.Equals(b) || IsWildcard(a) || IsWildcard(b));

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static string Describe(IPAddress address, ListenerSpec listener) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{listener}" : $"{address}:{listener}";

    private static T? Optional<T>(Dictionary<string, YamlNode> map, string key, Func<YamlNode, T?> read)
        where T : struct =>
        map.TryGetValue(key, out var node) ? read(node) : null;

    private static string? Optional(Dictionary<string, YamlNode> map, string key, Func<YamlNode, string?> read) =>
        map.TryGetValue(key, out var node) ? read(node) : null;

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
