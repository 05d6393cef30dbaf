using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Ferry.Contracts;
using Ferry.Contracts.Announcement;
using Ferry.Ipam;

namespace Ferry.Controller.Pools;

public sealed partial class AddressPoolResource
{
    /// <summary>
    /// Reads <c>spec</c> by the rules of a pool of the pools file (<c>AddressPoolsFile.ParsePool</c>), with its
    /// messages; the schema's defaults apply to absent fields, as when the API server did not default them.
    /// </summary>
    private sealed class SpecReader(List<PoolFieldError> errors)
    {
        public ImmutableArray<AddressRange> Ranges { get; private set; } = [];

        public AddressPool? Pool { get; private set; }

        public PoolAnnouncement? Announcement { get; private set; }

        public static SpecReader Read(JsonNode? node, string name, List<PoolFieldError> errors)
        {
            var reader = new SpecReader(errors);
            if (node is not JsonObject spec)
            {
                errors.Add(new PoolFieldError("spec", node is null ? "required" : "must be an object"));
                return reader;
            }

            reader.ReadSpec(spec, name);
            return reader;
        }

        private void ReadSpec(JsonObject spec, string name)
        {
            var before = errors.Count;
            Ranges = ReadAddresses(spec["addresses"]);
            var namespaces = StringList(spec["namespaces"], "spec.namespaces");
            var autoAssign = Boolean(spec["autoAssign"], "spec.autoAssign") ?? true;
            var includeNetworkAndBroadcast = Boolean(spec["includeNetworkAndBroadcast"], "spec.includeNetworkAndBroadcast") ?? false;
            var avoidBuggyIps = Boolean(spec["avoidBuggyIPs"], "spec.avoidBuggyIPs") ?? false;
            var mode = ReadMode(spec["announce"]);
            var interfaces = ReadInterfaces(spec["interfaces"]);
            if (mode == AnnouncementMode.None && interfaces.Length > 0)
            {
                errors.Add(new PoolFieldError("spec.interfaces", "only a pool with \"announce: l2\" is announced on interfaces"));
            }

            if (errors.Count == before)
            {
                Pool = new AddressPool(name, Ranges, namespaces, autoAssign, includeNetworkAndBroadcast, avoidBuggyIps);
                Announcement = new PoolAnnouncement(name, mode, new EquatableArray<string>(interfaces));
            }
        }

        private ImmutableArray<AddressRange> ReadAddresses(JsonNode? node)
        {
            const string path = "spec.addresses";
            if (node is null)
            {
                errors.Add(new PoolFieldError(path, "required"));
                return [];
            }

            var before = errors.Count;
            var ranges = new List<(string Path, AddressRange Range)>();
            var items = List(node, path);
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                if (NonEmptyString(items[i], itemPath) is not { } text)
                {
                    continue;
                }

                if (!AddressRange.TryParse(text, out var range, out var error))
                {
                    errors.Add(new PoolFieldError(itemPath, error!));
                    continue;
                }

                foreach (var earlier in ranges.Where(r => r.Range.Overlaps(range!)))
                {
                    errors.Add(new PoolFieldError(itemPath, $"{range} overlaps {earlier.Range} ({earlier.Path})"));
                }

                ranges.Add((itemPath, range!));
            }

            if (ranges.Count == 0 && errors.Count == before)
            {
                errors.Add(new PoolFieldError(path, "at least one CIDR or range is required"));
            }

            return [.. ranges.Select(r => r.Range)];
        }

        private AnnouncementMode ReadMode(JsonNode? node)
        {
            const string path = "spec.announce";
            if (node is null)
            {
                return AnnouncementMode.None;
            }

            switch (NonEmptyString(node, path))
            {
                case null:
                    return AnnouncementMode.None;
                case "none":
                    return AnnouncementMode.None;
                case "l2":
                    return AnnouncementMode.Layer2;
                case var text:
                    errors.Add(new PoolFieldError(path, $"unsupported value \"{text}\": supported values: \"none\", \"l2\""));
                    return AnnouncementMode.None;
            }
        }

        /// <summary>Interface names as Linux allows them: 1–15 characters, no '/', ':' or white space.</summary>
        private ImmutableArray<string> ReadInterfaces(JsonNode? node)
        {
            const string path = "spec.interfaces";
            var items = List(node, path);
            var names = ImmutableArray.CreateBuilder<string>();
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                if (NonEmptyString(items[i], itemPath) is not { } name)
                {
                    continue;
                }

                if (name.Length > 15 || name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
                {
                    errors.Add(new PoolFieldError(itemPath, $"\"{name}\" is not an interface name (at most 15 characters, no '/', ':' or spaces)"));
                }
                else if (names.Contains(name))
                {
                    errors.Add(new PoolFieldError(itemPath, $"interface \"{name}\" is listed twice"));
                }
                else
                {
                    names.Add(name);
                }
            }

            return names.ToImmutable();
        }

        private ImmutableArray<string> StringList(JsonNode? node, string path)
        {
            var items = List(node, path);
            var strings = ImmutableArray.CreateBuilder<string>();
            for (var i = 0; i < items.Count; i++)
            {
                if (NonEmptyString(items[i], $"{path}[{i}]") is { } text)
                {
                    strings.Add(text);
                }
            }

            return strings.ToImmutable();
        }

        /// <summary>A list; an absent or null field reads as an empty list.</summary>
        private IReadOnlyList<JsonNode?> List(JsonNode? node, string path)
        {
            switch (node)
            {
                case null:
                    return [];
                case JsonArray array:
                    return [.. array];
                default:
                    errors.Add(new PoolFieldError(path, "must be a list"));
                    return [];
            }
        }

        private string? NonEmptyString(JsonNode? node, string path)
        {
            if (JsonFields.String(node) is { Length: > 0 } text)
            {
                return text;
            }

            errors.Add(new PoolFieldError(path, "must be a non-empty string"));
            return null;
        }

        private bool? Boolean(JsonNode? node, string path)
        {
            if (node is null)
            {
                return null;
            }

            var value = JsonFields.Boolean(node);
            if (value is null)
            {
                errors.Add(new PoolFieldError(path, "must be true or false"));
            }

            return value;
        }
    }
}
