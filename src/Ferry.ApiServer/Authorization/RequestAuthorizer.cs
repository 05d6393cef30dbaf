using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Authorization;

/// <summary>
/// Decides whether a user may make a request: the admin (<c>system:masters</c>) always may; other users (from the
/// token file) as the ABAC policy allows, plus what upstream's default RBAC roles grant every authenticated user —
/// discovery, version and health paths (<c>system:discovery</c>) and creating self reviews (<c>system:basic-user</c>).
/// A denial carries no reason, as RBAC's does.
/// </summary>
internal sealed class RequestAuthorizer(IReadOnlyList<AccessPolicy> policies)
{
    /// <summary>The non-resource paths <c>system:discovery</c> lets every authenticated user get.</summary>
    private static readonly string[] _discoveryPaths =
        ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"];

    private static readonly AccessPolicy[] _everyUser =
    [
        .. _discoveryPaths.Select(p => new AccessPolicy(string.Empty, UserIdentity.Authenticated, true, string.Empty, string.Empty, string.Empty, p)),
        new(string.Empty, UserIdentity.Authenticated, false, "authorization.k8s.io", "selfsubjectaccessreviews", "*", string.Empty),
        new(string.Empty, UserIdentity.Authenticated, false, "authorization.k8s.io", "selfsubjectrulesreviews", "*", string.Empty),
    ];

    private readonly IReadOnlyList<AccessPolicy> _policies = policies;

    /// <summary>Whether <paramref name="user"/> may make <paramref name="request"/>.</summary>
    public bool IsAllowed(UserIdentity user, RequestAttributes request) =>
        user.IsAdmin || _everyUser.Any(p => p.Allows(user, request)) || _policies.Any(p => p.Allows(user, request));

    /// <summary>
    /// The status of a <c>SelfSubjectRulesReview</c> for <paramref name="user"/> in <paramref name="ns"/>: everything
    /// for the admin; otherwise a rule per matching policy (verbs <c>*</c>, or get/list/watch when read-only) after
    /// the rules every user has. Never incomplete: the policy is all there is.
    /// </summary>
    public JsonObject Rules(UserIdentity user, string ns)
    {
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        if (user.IsAdmin)
        {
            resourceRules.Add(ResourceRule(["*"], "*", "*"));
            nonResourceRules.Add(new JsonObject { ["verbs"] = Strings(["*"]), ["nonResourceURLs"] = Strings(["*"]) });
        }
        else
        {
            resourceRules.Add(ResourceRule(["create"], "authorization.k8s.io", "selfsubjectaccessreviews", "selfsubjectrulesreviews"));
            nonResourceRules.Add(new JsonObject { ["verbs"] = Strings(["get"]), ["nonResourceURLs"] = Strings(_discoveryPaths) });
            foreach (var p in _policies.Where(p => p.MatchesSubject(user) && (p.Namespace == "*" || p.Namespace == ns)))
            {
                if (p.Resource.Length > 0)
                {
                    resourceRules.Add(ResourceRule(p.Verbs, p.ApiGroup, p.Resource));
                }

                if (p.NonResourcePath.Length > 0)
                {
                    nonResourceRules.Add(new JsonObject { ["verbs"] = Strings(p.Verbs), ["nonResourceURLs"] = Strings([p.NonResourcePath]) });
                }
            }
        }

        return new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false };
    }

    private static JsonObject ResourceRule(IReadOnlyList<string> verbs, string apiGroup, params string[] resources) => new()
    {
        ["verbs"] = Strings(verbs),
        ["apiGroups"] = Strings([apiGroup]),
        ["resources"] = Strings(resources),
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
