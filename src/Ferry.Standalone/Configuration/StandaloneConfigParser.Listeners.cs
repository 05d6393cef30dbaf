using System.Globalization;
using System.Net;
using Ferry.Configuration;
using Ferry.Contracts;
using YamlDotNet.RepresentationModel;

namespace Ferry.Standalone.Configuration;

// The listeners of a load balancer: their backends and health checks.
public static partial class StandaloneConfigParser
{
    private static readonly string[] _listenerKeys = ["protocol", "port", "backends", "healthCheck"];

    private static readonly string[] _backendKeys = ["address", "port", "weight", "name"];

    private static readonly string[] _healthCheckKeys =
    [
        "type", "intervalSeconds", "timeoutSeconds", "healthyThreshold", "unhealthyThreshold", "port", "path", "expectedStatus",
    ];

    private static readonly EnumNames<TransportProtocol> _protocols = new(
        (TransportProtocol.Tcp, "TCP"),
        (TransportProtocol.Udp, "UDP"));

    private static readonly EnumNames<HealthCheckType> _healthCheckTypes = new(
        (HealthCheckType.Tcp, "tcp"),
        (HealthCheckType.Http, "http"));

    private static EquatableArray<ListenerSpec> ReadListeners(YamlValueReader reader, Dictionary<string, YamlNode> map, YamlNode node, string path)
    {
        var listPath = $"{path}.listeners";
        if (!map.TryGetValue("listeners", out var listNode))
        {
            reader.Error(listPath, node, "required: at least one listener");
            return [];
        }

        var items = reader.Sequence(listNode, listPath);
        if (items is null)
        {
            return [];
        }

        if (items.Count == 0)
        {
            reader.Error(listPath, listNode, "must list at least one listener");
        }

        var listeners = new List<ListenerSpec>();
        var seen = new Dictionary<(TransportProtocol, int), int>();
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlValueReader.Index(listPath, i);
            if (ReadListener(reader, items[i], itemPath, out var portNode) is not { } listener)
            {
                continue;
            }

            if (seen.TryGetValue((listener.Protocol, listener.Port), out var first))
            {
                reader.Error($"{itemPath}.port", portNode, $"duplicate listener {listener} (also listeners[{first.ToString(CultureInfo.InvariantCulture)}])");
                continue;
            }

            seen.Add((listener.Protocol, listener.Port), i);
            listeners.Add(listener);
        }

        return listeners.ToEquatableArray();
    }

    private static ListenerSpec? ReadListener(YamlValueReader reader, YamlNode node, string path, out YamlNode? portNode)
    {
        portNode = null;
        var map = reader.Mapping(node, path, _listenerKeys);
        if (map is null)
        {
            return null;
        }

        var errorsBefore = reader.Errors.Count;
        var protocol = Optional(map, "protocol", n => reader.Enum(n, $"{path}.protocol", _protocols)) ?? TransportProtocol.Tcp;
        int? port = null;
        if (map.TryGetValue("port", out portNode))
        {
            port = reader.WholeNumber(portNode, $"{path}.port", 1, 65535);
        }
        else
        {
            reader.Error($"{path}.port", node, "required");
        }

        var backends = ReadBackends(reader, map, path);
        var healthCheck = map.TryGetValue("healthCheck", out var checkNode) ? ReadHealthCheck(reader, checkNode, $"{path}.healthCheck") : null;
        if (reader.Errors.Count != errorsBefore || port is null)
        {
            return null;
        }

        return new ListenerSpec { Protocol = protocol, Port = port.Value, Backends = backends, HealthCheck = healthCheck };
    }

    private static EquatableArray<BackendSpec> ReadBackends(YamlValueReader reader, Dictionary<string, YamlNode> map, string path)
    {
        var listPath = $"{path}.backends";
        if (!map.TryGetValue("backends", out var listNode) || reader.Sequence(listNode, listPath) is not { } items)
        {
            return [];
        }

        var backends = new List<BackendSpec>();
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlValueReader.Index(listPath, i);
            if (ReadBackend(reader, items[i], itemPath) is not { } backend)
            {
                continue;
            }

            var first = backends.FindIndex(b => b.Address.Equals(backend.Address) && b.Port == backend.Port);
            if (first >= 0)
            {
                reader.Error(itemPath, items[i], $"duplicate backend {backend} (also backends[{first.ToString(CultureInfo.InvariantCulture)}])");
                continue;
            }

            backends.Add(backend);
        }

        return backends.ToEquatableArray();
    }

    private static BackendSpec? ReadBackend(YamlValueReader reader, YamlNode node, string path)
    {
        var map = reader.Mapping(node, path, _backendKeys);
        if (map is null)
        {
            return null;
        }

        IPAddress? address = null;
        int? port = null;
        if (map.TryGetValue("address", out var addressNode))
        {
            address = reader.Address(addressNode, $"{path}.address");
        }
        else
        {
            reader.Error($"{path}.address", node, "required");
        }

        if (map.TryGetValue("port", out var portNode))
        {
            port = reader.WholeNumber(portNode, $"{path}.port", 1, 65535);
        }
        else
        {
            reader.Error($"{path}.port", node, "required");
        }

        var weight = Optional(map, "weight", n => reader.WholeNumber(n, $"{path}.weight", 1, 1000));
        var name = map.TryGetValue("name", out var nameNode) ? reader.Text(nameNode, $"{path}.name") : null;
        return address is null || port is null || (map.ContainsKey("weight") && weight is null)
            ? null
            : new BackendSpec(address, port.Value, weight ?? 1, name);
    }

    private static HealthCheckSpec? ReadHealthCheck(YamlValueReader reader, YamlNode node, string path)
    {
        var map = reader.Mapping(node, path, _healthCheckKeys);
        if (map is null)
        {
            return null;
        }

        var check = new HealthCheckSpec();
        var type = Optional(map, "type", n => reader.Enum(n, $"{path}.type", _healthCheckTypes)) ?? check.Type;
        if (type != HealthCheckType.Http)
        {
            foreach (var httpOnly in (string[])["path", "expectedStatus"])
            {
                if (map.TryGetValue(httpOnly, out var misplaced))
                {
                    reader.Error($"{path}.{httpOnly}", misplaced, "applies only to type: http");
                }
            }
        }

        var checkPath = Optional(map, "path", n => reader.Text(n, $"{path}.path"));
        if (checkPath is not null && (!checkPath.StartsWith('/') || checkPath.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            reader.Error($"{path}.path", map["path"], "must start with '/' and contain no spaces");
        }

        return check with
        {
            Type = type,
            Interval = Optional(map, "intervalSeconds", n => reader.Seconds(n, $"{path}.intervalSeconds", 0, 3600, minExclusive: true)) ?? check.Interval,
            Timeout = Optional(map, "timeoutSeconds", n => reader.Seconds(n, $"{path}.timeoutSeconds", 0, 3600, minExclusive: true)) ?? check.Timeout,
            HealthyThreshold = Optional(map, "healthyThreshold", n => reader.WholeNumber(n, $"{path}.healthyThreshold", 1, 100)) ?? check.HealthyThreshold,
            UnhealthyThreshold = Optional(map, "unhealthyThreshold", n => reader.WholeNumber(n, $"{path}.unhealthyThreshold", 1, 100)) ?? check.UnhealthyThreshold,
            Port = Optional(map, "port", n => reader.WholeNumber(n, $"{path}.port", 1, 65535)),
            Path = checkPath ?? check.Path,
            ExpectedStatus = Optional(map, "expectedStatus", n => reader.WholeNumber(n, $"{path}.expectedStatus", 100, 599)) ?? check.ExpectedStatus,
        };
    }
}
