using System.Text.Json.Nodes;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Http;

/// <summary>Legacy (APIVersions, APIGroupList, APIResourceList) and aggregated (apidiscovery.k8s.io) discovery documents.</summary>
internal sealed class DiscoveryDocuments
{
    private static readonly string[] _statusVerbs = ["get", "patch", "update"];
    private readonly ResourceCatalog _catalog;

    public DiscoveryDocuments(ResourceCatalog catalog) => _catalog = catalog;

    /// <summary><c>/api</c> legacy.</summary>
    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    /// <summary><c>/apis</c> legacy.</summary>
    public JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var g in _catalog.GroupVersions.Where(gv => gv.Group.Length > 0).GroupBy(gv => gv.Group))
        {
            groups.Add(Group(g.Key, [.. g.Select(x => x.Version)]));
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    /// <summary><c>/apis/{group}</c>, or null when the group is not served.</summary>
    public JsonObject? GroupDocument(string group)
    {
        var versions = _catalog.GroupVersions.Where(gv => gv.Group == group && group.Length > 0).Select(gv => gv.Version).ToList();
        if (versions.Count == 0)
        {
            return null;
        }

        var doc = Group(group, versions);
        doc["kind"] = "APIGroup";
        doc["apiVersion"] = "v1";
        return doc;
    }

    /// <summary><c>/api/v1</c> or <c>/apis/{g}/{v}</c>, or null when not served.</summary>
    public JsonObject? ResourceList(string group, string version)
    {
        var types = _catalog.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var t in types)
        {
            var r = new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = Strings(t.Verbs),
            };
            if (t.ShortNames.Count > 0)
            {
                r["shortNames"] = Strings(t.ShortNames);
            }

            if (t.Categories.Count > 0)
            {
                r["categories"] = Strings(t.Categories);
            }

            resources.Add(r);
            if (t.HasStatus)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = t.Plural + "/status",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = t.Kind,
                    ["verbs"] = Strings(_statusVerbs),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : group + "/" + version,
            ["resources"] = resources,
        };
    }

    /// <summary>Aggregated discovery for the core group (<paramref name="core"/>) or the named groups.</summary>
    public JsonObject Aggregated(bool core, string version)
    {
        var items = new JsonArray();
        foreach (var g in _catalog.GroupVersions.Where(gv => (gv.Group.Length == 0) == core).GroupBy(gv => gv.Group))
        {
            var versions = new JsonArray();
            foreach (var (group, v) in g)
            {
                var resources = new JsonArray();
                foreach (var t in _catalog.All.Where(t => t.Group == group && t.Version == v))
                {
                    var r = new JsonObject
                    {
                        ["resource"] = t.Plural,
                        ["responseKind"] = new JsonObject { ["group"] = t.Group, ["version"] = t.Version, ["kind"] = t.Kind },
                        ["scope"] = t.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = t.Singular,
                        ["verbs"] = Strings(t.Verbs),
                    };
                    if (t.ShortNames.Count > 0)
                    {
                        r["shortNames"] = Strings(t.ShortNames);
                    }

                    if (t.Categories.Count > 0)
                    {
                        r["categories"] = Strings(t.Categories);
                    }

                    if (t.HasStatus)
                    {
                        r["subresources"] = new JsonArray(new JsonObject
                        {
                            ["subresource"] = "status",
                            ["responseKind"] = new JsonObject { ["group"] = t.Group, ["version"] = t.Version, ["kind"] = t.Kind },
                            ["verbs"] = Strings(_statusVerbs),
                        });
                    }

                    resources.Add(r);
                }

                versions.Add(new JsonObject { ["version"] = v, ["resources"] = resources, ["freshness"] = "Current" });
            }

            items.Add(new JsonObject { ["metadata"] = new JsonObject { ["name"] = g.Key }, ["versions"] = versions });
        }

        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/" + version,
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject Group(string name, List<string> versions)
    {
        var list = new JsonArray();
        foreach (var v in versions)
        {
            list.Add(new JsonObject { ["groupVersion"] = name + "/" + v, ["version"] = v });
        }

        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = list,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = name + "/" + versions[0], ["version"] = versions[0] },
        };
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
