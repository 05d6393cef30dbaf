using k8s.Models;

namespace Ferry.Controller.Informers;

/// <summary>Cache keys of Kubernetes objects.</summary>
public static class ObjectKeys
{
    /// <summary><c>namespace/name</c>, or the name for cluster-scoped objects.</summary>
    public static string Of(IMetadata<V1ObjectMeta> item) => For(item.Metadata?.NamespaceProperty, item.Metadata?.Name);

    /// <summary>The cache key of the object named <paramref name="name"/> in <paramref name="objectNamespace"/> (null or empty: cluster-scoped).</summary>
    public static string For(string? objectNamespace, string? name) =>
        string.IsNullOrEmpty(objectNamespace) ? name ?? string.Empty : $"{objectNamespace}/{name}";
}
