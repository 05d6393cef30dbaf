using k8s.Models;

namespace Ferry.Controller.Informers;

/// <summary>Cache keys of Kubernetes objects.</summary>
public static class ObjectKeys
{
    /// <summary><c>namespace/name</c>, or the name for cluster-scoped objects.</summary>
    public static string Of(IMetadata<V1ObjectMeta> item) =>
        string.IsNullOrEmpty(item.Metadata?.NamespaceProperty) ? item.Metadata?.Name ?? string.Empty : $"{item.Metadata.NamespaceProperty}/{item.Metadata.Name}";
}
