using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Ferry.ApiServer.CustomResources.Printing;
using Ferry.ApiServer.CustomResources.Schema;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.CustomResources;

/// <summary>The resources a stored CustomResourceDefinition serves: one <see cref="ResourceType"/> per served version, once its names are accepted.</summary>
internal static class DefinitionTypes
{
    /// <summary>The served versions of <paramref name="definition"/>; empty while its names are not accepted.</summary>
    public static ImmutableArray<ResourceType> Of(JsonObject definition)
    {
        if (!DefinitionStatus.IsTrue(definition, DefinitionNames.NamesAccepted) || definition["spec"] is not JsonObject spec)
        {
            return [];
        }

        var name = JsonRead.Str(definition["metadata"]?["name"]);
        var group = JsonRead.Str(spec["group"]);
        var names = spec["names"] as JsonObject ?? [];
        var versions = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var storage = versions.FirstOrDefault(v => v["storage"]?.GetValueKind() == System.Text.Json.JsonValueKind.True) is { } s ? JsonRead.Str(s["name"]) : string.Empty;
        var terminating = ObjectMetadata.IsDeleting(definition);
        var types = ImmutableArray.CreateBuilder<ResourceType>();
        foreach (var version in versions.Where(v => v["served"]?.GetValueKind() == System.Text.Json.JsonValueKind.True))
        {
            var versionName = JsonRead.Str(version["name"]);
            var hasStatus = version["subresources"]?["status"] is JsonObject;
            var schema = StructuralSchema.Parse(version["schema"]?["openAPIV3Schema"] as JsonObject ?? []);
            var custom = new CustomResourceVersion(name, storage, schema, PrinterColumn.FromVersion(version), terminating);
            var apiVersion = group + "/" + versionName;
            types.Add(new ResourceType(group, versionName, JsonRead.Str(names["plural"]), JsonRead.Str(names["singular"]), JsonRead.Str(names["kind"]),
                JsonRead.Str(spec["scope"]) == "Namespaced", typeof(JsonObject))
            {
                ListKind = JsonRead.Str(names["listKind"]),
                ShortNames = Strings(names["shortNames"]),
                Categories = Strings(names["categories"]),
                HasStatus = hasStatus,
                TracksGeneration = true,
                Table = TableLayout.Custom,
                Custom = custom,
                Strategy = new CustomResourceStrategy(custom, hasStatus),
                // One stored object, presented in each version with that version's apiVersion (conversion strategy None).
                FromStorage = stored => JsonRead.Str(stored["apiVersion"]) == apiVersion ? stored : WithApiVersion(stored, apiVersion),
                ToStorage = incoming => WithApiVersion(incoming, group + "/" + storage, copy: false),
            });
        }

        return types.ToImmutable();
    }

    private static JsonObject WithApiVersion(JsonObject obj, string apiVersion, bool copy = true)
    {
        var result = copy ? obj.DeepClone().AsObject() : obj;
        result["apiVersion"] = apiVersion;
        return result;
    }

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => JsonRead.Str(n)).Where(s => s.Length > 0)] : [];
}
