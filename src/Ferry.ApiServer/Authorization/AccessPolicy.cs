namespace Ferry.ApiServer.Authorization;

/// <summary>
/// One line of kube-apiserver's ABAC policy file (<c>abac.authorization.kubernetes.io/v1beta1</c> <c>Policy</c>
/// spec), matched as upstream's ABAC authorizer matches it: the subject by <c>user</c> and/or <c>group</c>
/// (<c>*</c> is every authenticated user; a policy naming neither matches nobody), then either the resource
/// (<c>namespace</c>, <c>resource</c>, <c>apiGroup</c>, each exact or <c>*</c>; an empty namespace matches only
/// cluster-scoped requests, an empty API group only the core group) or <c>nonResourcePath</c> (exact, <c>*</c>, or a
/// trailing <c>*</c> prefix); <c>readonly</c> limits it to get, list and watch.
/// </summary>
internal sealed record AccessPolicy(string User, string Group, bool Readonly, string ApiGroup, string Resource, string Namespace, string NonResourcePath)
{
    /// <summary>Whether this policy allows the request.</summary>
    public bool Allows(UserIdentity user, RequestAttributes request) =>
        MatchesSubject(user) && (request.IsReadOnly || !Readonly) && (MatchesResource(request) || MatchesPath(request));

    /// <summary>Whether the policy applies to the user.</summary>
    public bool MatchesSubject(UserIdentity user)
    {
        var matched = false;
        if (User.Length > 0)
        {
            if (User != "*" && User != user.Name)
            {
                return false;
            }

            matched = true;
        }

        if (Group.Length > 0)
        {
            if (Group != "*" && !user.Groups.Contains(Group))
            {
                return false;
            }

            matched = true;
        }

        return matched;
    }

    /// <summary>The verbs of the rules this policy grants (<c>kubectl auth can-i --list</c>).</summary>
    public IReadOnlyList<string> Verbs => Readonly ? ["get", "list", "watch"] : ["*"];

    private bool MatchesResource(RequestAttributes r) =>
        r.IsResourceRequest
        && (Namespace == "*" || Namespace == r.Namespace)
        && (Resource == "*" || Resource == r.Resource)
        && (ApiGroup == "*" || ApiGroup == r.ApiGroup);

    private bool MatchesPath(RequestAttributes r) =>
        !r.IsResourceRequest
        && (NonResourcePath == "*" || NonResourcePath == r.Path
            || (NonResourcePath.EndsWith('*') && r.Path.StartsWith(NonResourcePath.TrimEnd('*'), StringComparison.Ordinal)));
}
