namespace Ferry.ApiServer.Authorization;

/// <summary>
/// What a request asks to do, as upstream's authorizer attributes: a resource request (verb, namespace, API group,
/// resource, subresource, name) or a non-resource request (verb and path).
/// </summary>
internal sealed record RequestAttributes(string Verb, string Namespace, string ApiGroup, string Resource, string Subresource, string Name, string Path)
{
    /// <summary>Whether this is a resource request (else <see cref="Path"/> is what is asked for).</summary>
    public bool IsResourceRequest => Resource.Length > 0;

    /// <summary>Whether the verb only reads (<c>get</c>, <c>list</c>, <c>watch</c>): ABAC's <c>readonly</c> policies allow these.</summary>
    public bool IsReadOnly => Verb is "get" or "list" or "watch";

    /// <summary>A resource request.</summary>
    public static RequestAttributes ForResource(string verb, string ns, string apiGroup, string resource, string subresource, string name) =>
        new(verb, ns, apiGroup, resource, subresource, name, string.Empty);

    /// <summary>A non-resource request (a path such as <c>/healthz</c>).</summary>
    public static RequestAttributes ForPath(string verb, string path) =>
        new(verb, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, path);

    /// <summary>
    /// Upstream's forbidden text: <c>User "bob" cannot get resource "leases" in API group "coordination.k8s.io" in the
    /// namespace "kube-system"</c> (or <c>at the cluster scope</c>, or <c>cannot get path "/x"</c>).
    /// </summary>
    public string ForbiddenMessage(string user)
    {
        if (!IsResourceRequest)
        {
            return $"User \"{user}\" cannot {Verb} path \"{Path}\"";
        }

        var resource = Subresource.Length > 0 ? Resource + "/" + Subresource : Resource;
        return Namespace.Length > 0
            ? $"User \"{user}\" cannot {Verb} resource \"{resource}\" in API group \"{ApiGroup}\" in the namespace \"{Namespace}\""
            : $"User \"{user}\" cannot {Verb} resource \"{resource}\" in API group \"{ApiGroup}\" at the cluster scope";
    }
}
