using System.Text.Json.Nodes;
using Ferry.ApiServer.Strategies;

namespace Ferry.ApiServer.Registry;

/// <summary>
/// What every cluster has before its first request: the allocator rebuilt from the stored Services, the four
/// system namespaces, the <c>default/kubernetes</c> Service (first service address, port 443 to the API port) and
/// the bootstrap CustomResourceDefinitions (<see cref="ApiServerOptions.BootstrapDefinitions"/>).
/// </summary>
internal sealed class ClusterBootstrap(ResourceRegistry registry, ServiceKindStrategy services, IReadOnlyList<string>? definitions = null)
{
    private readonly IReadOnlyList<string> _definitions = definitions ?? [];
    private static readonly string[] _systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];
    private readonly ResourceRegistry _registry = registry;
    private readonly ServiceKindStrategy _services = services;

    /// <summary>Creates what is missing; a restart on an existing database creates nothing.</summary>
    public async Task RunAsync(int apiPort)
    {
        var catalog = _registry.Catalog;
        _services.Rebuild(_registry.List(catalog.Services, null).Items.Select(o => o.Object));
        foreach (var ns in _systemNamespaces)
        {
            if (_registry.Find(catalog.Namespaces, string.Empty, ns) is null)
            {
                await _registry.CreateAsync(catalog.Namespaces, string.Empty, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, WriteOptions.Default);
            }
        }

        await InstallDefinitionsAsync();
        if (_registry.Find(catalog.Services, "default", "kubernetes") is null)
        {
            var ip = _services.KubernetesServiceIp;
            await _registry.CreateAsync(catalog.Services, "default", new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = "kubernetes",
                    ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
                },
                ["spec"] = new JsonObject
                {
                    ["type"] = "ClusterIP",
                    ["clusterIP"] = ip,
                    ["clusterIPs"] = new JsonArray(ip),
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = apiPort }),
                },
            }, WriteOptions.Default);
        }
    }

    /// <summary>Creates each bootstrap definition, or replaces its spec when the stored one differs; an invalid one is a start-up error.</summary>
    private async Task InstallDefinitionsAsync()
    {
        var type = _registry.Catalog.Definitions;
        foreach (var manifest in _definitions)
        {
            var definition = Http.YamlToJson.Parse(manifest) as JsonObject
                ?? throw new InvalidOperationException("a bootstrap CustomResourceDefinition is not a YAML or JSON object");
            var name = Objects.JsonRead.Str(definition["metadata"]?["name"]);
            try
            {
                if (_registry.Find(type, string.Empty, name) is not { } stored)
                {
                    await _registry.CreateAsync(type, string.Empty, definition, WriteOptions.Default);
                }
                else if (!JsonNode.DeepEquals(stored["spec"], definition["spec"]))
                {
                    var updated = stored.DeepClone().AsObject();
                    updated["spec"] = definition["spec"]!.DeepClone();
                    await _registry.UpdateAsync(type, string.Empty, name, updated, status: false, WriteOptions.Default);
                }
            }
            catch (Errors.ApiException ex)
            {
                throw new InvalidOperationException($"bootstrap CustomResourceDefinition \"{name}\": {ex.Message}", ex);
            }
        }
    }
}
