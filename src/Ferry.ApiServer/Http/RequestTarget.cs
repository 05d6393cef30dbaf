using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Http;

/// <summary>A parsed resource URL: which resource, namespace, object and subresource.</summary>
/// <param name="Type">The resource.</param>
/// <param name="Namespace">The namespace from the URL, or null for all namespaces / cluster scope.</param>
/// <param name="Name">The object name, or null for the collection.</param>
/// <param name="Subresource">The subresource (<c>status</c>), or null.</param>
/// <param name="LegacyWatch">True for the deprecated <c>/watch/</c> path prefix.</param>
internal sealed record RequestTarget(ResourceType Type, string? Namespace, string? Name, string? Subresource, bool LegacyWatch)
{
    /// <summary>Whether the target is the <c>status</c> subresource.</summary>
    public bool IsStatus => Subresource == "status";
}
