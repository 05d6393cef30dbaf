using System.Text.Json.Nodes;

namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>
/// Applies a schema's <c>default</c>s, after apiextensions-apiserver's pkg/apiserver/schema/defaulting/algorithm.go
/// (<c>Default</c>) and prunenulls.go (<c>PruneNonNullableNullsWithoutDefaults</c>). Pure apart from mutating the given
/// object; thread-safe.
/// </summary>
internal static class SchemaDefaulting
{
    /// <summary>
    /// What kube-apiserver does to a decoded custom resource: drops <c>null</c>s of non-nullable fields without a default
    /// (upstream does this right after pruning), then fills in defaults.
    /// </summary>
    public static void Apply(JsonObject obj, StructuralSchema schema)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(schema);
        PruneNonNullableNullsWithoutDefaults(obj, schema);
        Default(obj, schema);
    }

    /// <summary>
    /// Sets each missing property that has a default, and each non-nullable <c>null</c> that has one, to a deep copy of
    /// the default; recursively, into array items and additionalProperties values (a default applied is then defaulted
    /// inside too).
    /// </summary>
    public static void Default(JsonNode? value, StructuralSchema? schema)
    {
        if (schema is null)
        {
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, property) in schema.Properties)
                {
                    if (property.HasDefault && (!obj.TryGetPropertyValue(name, out var current) || IsNonNullableNull(current, property)))
                    {
                        obj[name] = property.CopyDefault();
                    }
                }

                foreach (var key in obj.Select(pair => pair.Key).ToList())
                {
                    if (schema.Properties.TryGetValue(key, out var property))
                    {
                        Default(obj[key], property);
                    }
                    else if (schema.HasAdditionalProperties)
                    {
                        var additional = schema.AdditionalProperties;
                        if (additional is not null && IsNonNullableNull(obj[key], additional) && additional.HasDefault)
                        {
                            obj[key] = additional.CopyDefault();
                        }

                        Default(obj[key], additional);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (schema.Items is { HasDefault: true } items && IsNonNullableNull(array[i], items))
                    {
                        array[i] = items.CopyDefault();
                    }

                    Default(array[i], schema.Items);
                }

                break;
        }
    }

    /// <summary>Removes object fields whose value is <c>null</c> when their schema is neither nullable nor defaulted.</summary>
    public static void PruneNonNullableNullsWithoutDefaults(JsonNode? value, StructuralSchema? schema)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    var field = schema is null ? null
                        : schema.Properties.TryGetValue(key, out var property) ? property
                        : schema.AdditionalProperties;
                    if (child is null && field is { Nullable: false, HasDefault: false })
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        PruneNonNullableNullsWithoutDefaults(child, field);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    PruneNonNullableNullsWithoutDefaults(item, schema?.Items);
                }

                break;
        }
    }

    private static bool IsNonNullableNull(JsonNode? value, StructuralSchema schema) => value is null && !schema.Nullable;
}
