using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;

namespace Ferry.ApiServer.Validation;

/// <summary>
/// Checks a JSON object against the official model type (k8s.Models): which fields are unknown (for
/// <c>fieldValidation</c>) and whether it decodes at all (wrong JSON types). The stored JSON keeps
/// every field; the model is only the schema.
/// </summary>
internal static class ModelSchema
{
    private static readonly ConcurrentDictionary<Type, Dictionary<string, Type>?> _properties = new();
    private static readonly MethodInfo _deserializeMethod = typeof(KubernetesJson).GetMethods()
        .First(m => m.Name == nameof(KubernetesJson.Deserialize) && m.IsGenericMethodDefinition
            && m.GetParameters() is [{ ParameterType: var p0 }, _] && p0 == typeof(string));

    /// <summary>Returns the unknown field paths (e.g. <c>spec.ports[0].bogus</c>), in document order.</summary>
    public static List<string> UnknownFields(JsonObject obj, Type modelType)
    {
        var result = new List<string>();
        Walk(obj, modelType, string.Empty, result);
        return result;
    }

    /// <summary>Tries to decode into the model type; returns the decoder's message on failure.</summary>
    public static string? DecodeError(JsonObject obj, Type modelType)
    {
        try
        {
            _deserializeMethod.MakeGenericMethod(modelType).Invoke(null, [obj.ToJsonString(), null]);
            return null;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is JsonException or FormatException or InvalidOperationException or OverflowException or ArgumentException)
        {
            return ex.InnerException.Message;
        }
    }

    private static void Walk(JsonNode? node, Type type, string path, List<string> unknown)
    {
        if (node is null)
        {
            return;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (ElementType(type, typeof(IDictionary<,>), 1) is { } valueType)
        {
            if (node is JsonObject map)
            {
                foreach (var (k, v) in map)
                {
                    Walk(v, valueType, Join(path, k), unknown);
                }
            }

            return;
        }

        if (type != typeof(string) && ElementType(type, typeof(IEnumerable<>), 0) is { } itemType)
        {
            if (node is JsonArray list)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    Walk(list[i], itemType, path + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", unknown);
                }
            }

            return;
        }

        if (node is not JsonObject obj || PropertiesOf(type) is not { } props)
        {
            return;
        }

        foreach (var (k, v) in obj)
        {
            if (props.TryGetValue(k, out var propType))
            {
                Walk(v, propType, Join(path, k), unknown);
            }
            else
            {
                unknown.Add(Join(path, k));
            }
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static Type? ElementType(Type type, Type genericInterface, int argument)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == genericInterface)
        {
            return type.GetGenericArguments()[argument];
        }

        var match = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == genericInterface);
        return match?.GetGenericArguments()[argument];
    }

    private static Dictionary<string, Type>? PropertiesOf(Type type) => _properties.GetOrAdd(type, static t =>
    {
        if (t.Namespace != "k8s.Models" || t.IsEnum || t.IsPrimitive)
        {
            return null;
        }

        var props = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<JsonPropertyNameAttribute>() is { } attr)
            {
                props[attr.Name] = p.PropertyType;
            }
        }

        return props.Count == 0 ? null : props;
    });
}
