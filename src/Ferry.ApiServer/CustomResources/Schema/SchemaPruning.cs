using System.Globalization;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>
/// Drops the fields a schema does not specify, after apiextensions-apiserver's pkg/apiserver/schema/pruning/algorithm.go
/// (<c>PruneWithOptions</c> tracking unknown field paths, as kube-apiserver does for <c>fieldValidation</c> warnings and
/// Strict errors). <c>x-kubernetes-preserve-unknown-fields</c> keeps unknown fields (pruning resumes below specified
/// properties); a resource root and every <c>x-kubernetes-embedded-resource</c> keep <c>apiVersion</c>, <c>kind</c> and
/// <c>metadata</c> untouched (ObjectMeta is handled elsewhere). Pure apart from mutating the given object; thread-safe.
/// </summary>
internal static class SchemaPruning
{
    private static readonly HashSet<string> _metaFields = new(StringComparer.Ordinal) { "apiVersion", "kind", "metadata" };

    /// <summary>
    /// Prunes a custom resource in place and returns the removed fields' paths, sorted as Go's <c>sort.Strings</c>
    /// (<c>spec.bogus</c>, <c>spec.items[0].extra</c>; keys are joined with dots unescaped, as upstream does).
    /// </summary>
    public static List<string> Prune(JsonObject obj, StructuralSchema schema)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(schema);
        return Prune(obj, schema, isResourceRoot: true);
    }

    /// <summary>Prunes any value in place (upstream's <c>Prune(obj, s, isResourceRoot)</c>) and returns the removed paths.</summary>
    public static List<string> Prune(JsonNode? value, StructuralSchema? schema, bool isResourceRoot)
    {
        var removed = new List<string>();
        if (isResourceRoot && schema is null)
        {
            // Upstream prunes a schemaless resource root as an empty schema: everything but apiVersion/kind/metadata goes.
            schema = StructuralSchema.Parse(new JsonObject());
        }

        Walk(value, schema, string.Empty, isResourceRoot, removed);
        removed.Sort(StringComparer.Ordinal);
        return removed;
    }

    private static void Walk(JsonNode? value, StructuralSchema? schema, string path, bool embedded, List<string> removed)
    {
        embedded = embedded || schema?.EmbeddedResource == true;
        if (schema is { PreserveUnknownFields: true })
        {
            WalkPreserving(value, schema, path, embedded, removed);
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (schema is not null && embedded && _metaFields.Contains(key))
                    {
                        continue;
                    }

                    if (schema is not null && schema.Properties.TryGetValue(key, out var property))
                    {
                        Walk(child, property, Key(path, key), false, removed);
                    }
                    else if (schema is { HasAdditionalProperties: true })
                    {
                        Walk(child, schema.AdditionalProperties, Key(path, key), false, removed);
                    }
                    else
                    {
                        // Upstream does not report a dropped apiVersion/kind/metadata at the top of a non-resource value.
                        if (schema is null || !_metaFields.Contains(key) || path.Length > 0)
                        {
                            removed.Add(Key(path, key));
                        }

                        obj.Remove(key);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], schema?.Items, Index(path, i), false, removed);
                }

                break;
        }
    }

    // Unknown fields stay; specified properties and additionalProperties are pruned by their own schemas.
    private static void WalkPreserving(JsonNode? value, StructuralSchema schema, string path, bool embedded, List<string> removed)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (embedded && _metaFields.Contains(key))
                    {
                        continue;
                    }

                    if (schema.Properties.TryGetValue(key, out var property))
                    {
                        Walk(child, property, Key(path, key), false, removed);
                    }
                    else if (schema.HasAdditionalProperties)
                    {
                        Walk(child, schema.AdditionalProperties, Key(path, key), false, removed);
                    }
                }

                break;
            case JsonArray array when schema.Items is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    WalkPreserving(array[i], items, Index(path, i), items.EmbeddedResource, removed);
                }

                break;
        }
    }

    private static string Key(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string Index(string path, int index) => path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
}
