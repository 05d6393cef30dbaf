using Ferry.ApiServer.Authorization;

namespace Ferry.ApiServer.Tests.Authorization;

/// <summary>The token file (kube-apiserver's <c>--token-auth-file</c>) and the ABAC policy file, parsed and matched as upstream does.</summary>
public class AccessFilesTests
{
    private static readonly UserIdentity _bob = new("bob", "1", ["dev", UserIdentity.Authenticated]);

    [Fact]
    public void TokenFile_ColumnsAndQuotedGroups_AreRead()
    {
        var tokens = StaticTokenFile.Parse(["t1,bob,1001,\"dev,ops\"", "", "t2,carol,1002", ",skipped,1003"], "tokens.csv");

        Assert.Equal(["t1", "t2"], tokens.Keys.Order());
        Assert.Equal("bob", tokens["t1"].Name);
        Assert.Equal("1001", tokens["t1"].Uid);
        Assert.Equal(["dev", "ops", UserIdentity.Authenticated], tokens["t1"].Groups);
        Assert.Equal([UserIdentity.Authenticated], tokens["t2"].Groups);
        Assert.False(tokens["t1"].IsAdmin);
    }

    [Fact]
    public void TokenFile_TooFewColumns_NamesTheLine()
    {
        var ex = Assert.Throws<FormatException>(() => StaticTokenFile.Parse(["t1,bob,1", "t2,carol"], "tokens.csv"));
        Assert.Equal("token file 'tokens.csv' must have at least 3 columns (token, user name, user uid), found 2 on line 2", ex.Message);
    }

    [Fact]
    public void PolicyFile_SkipsCommentsAndBlankLines_ReadsSpec()
    {
        var policies = AccessPolicyFile.Parse(
        [
            "# bob reads leases",
            "",
            """{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"bob","namespace":"kube-system","resource":"leases","apiGroup":"coordination.k8s.io","readonly":true}}""",
        ], "policy.jsonl");

        Assert.Equal(new AccessPolicy("bob", string.Empty, true, "coordination.k8s.io", "leases", "kube-system", string.Empty), Assert.Single(policies));
    }

    [Theory]
    [InlineData("""{"kind":"Policy","spec":{"user":"bob"}}""", "expected \"apiVersion\"")]
    [InlineData("""{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"bob","verbs":["get"]}}""", "unknown field \"spec.verbs\"")]
    [InlineData("""{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"readonly":"yes"}}""", "spec.readonly: must be a boolean")]
    [InlineData("{not json", "error reading policy file policy.jsonl, line 1")]
    public void PolicyFile_BadLine_IsAClearError(string line, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => AccessPolicyFile.Parse([line], "policy.jsonl"));
        Assert.StartsWith("error reading policy file policy.jsonl, line 1: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    // subject
    [InlineData("bob", "", "get", true)]
    [InlineData("alice", "", "get", false)]
    [InlineData("*", "", "get", true)]
    [InlineData("", "dev", "get", true)]
    [InlineData("", "ops", "get", false)]
    [InlineData("", "*", "get", true)]
    [InlineData("", "", "get", false)]
    [InlineData("bob", "ops", "get", false)]
    // readonly allows only get, list, watch
    [InlineData("bob", "", "watch", true)]
    [InlineData("bob", "", "update", false)]
    public void Policy_SubjectAndReadonly_MatchAsUpstream(string user, string group, string verb, bool allowed)
    {
        var policy = new AccessPolicy(user, group, true, "coordination.k8s.io", "leases", "kube-system", string.Empty);
        var request = RequestAttributes.ForResource(verb, "kube-system", "coordination.k8s.io", "leases", string.Empty, "x");
        Assert.Equal(allowed, policy.Allows(_bob, request));
    }

    [Theory]
    [InlineData("kube-system", "leases", "coordination.k8s.io", true)]
    [InlineData("*", "*", "*", true)]
    [InlineData("default", "leases", "coordination.k8s.io", false)]
    [InlineData("", "leases", "coordination.k8s.io", false)]
    [InlineData("kube-system", "services", "coordination.k8s.io", false)]
    [InlineData("kube-system", "leases", "", false)]
    public void Policy_Resource_ExactOrWildcard(string ns, string resource, string apiGroup, bool allowed)
    {
        var policy = new AccessPolicy("bob", string.Empty, false, apiGroup, resource, ns, string.Empty);
        var request = RequestAttributes.ForResource("create", "kube-system", "coordination.k8s.io", "leases", string.Empty, string.Empty);
        Assert.Equal(allowed, policy.Allows(_bob, request));
    }

    [Fact]
    public void Policy_EmptyNamespace_MatchesClusterScopeOnly()
    {
        var policy = new AccessPolicy("bob", string.Empty, false, string.Empty, "nodes", string.Empty, string.Empty);
        Assert.True(policy.Allows(_bob, RequestAttributes.ForResource("list", string.Empty, string.Empty, "nodes", string.Empty, string.Empty)));
        Assert.False(policy.Allows(_bob, RequestAttributes.ForResource("list", "default", string.Empty, "nodes", string.Empty, string.Empty)));
    }

    [Theory]
    [InlineData("/metrics", "/metrics", true)]
    [InlineData("*", "/anything", true)]
    [InlineData("/logs/*", "/logs/a/b", true)]
    [InlineData("/logs", "/logs/a", false)]
    public void Policy_NonResourcePath_ExactWildcardOrPrefix(string policyPath, string requestPath, bool allowed)
    {
        var policy = new AccessPolicy("bob", string.Empty, false, string.Empty, string.Empty, string.Empty, policyPath);
        Assert.Equal(allowed, policy.Allows(_bob, RequestAttributes.ForPath("get", requestPath)));
        Assert.False(policy.Allows(_bob, RequestAttributes.ForResource("get", string.Empty, string.Empty, "nodes", string.Empty, string.Empty)));
    }

    [Fact]
    public void Authorizer_AdminAlways_OthersByPolicyPlusDiscoveryAndSelfReviews()
    {
        var authorizer = new RequestAuthorizer([new AccessPolicy("bob", string.Empty, true, "*", "*", "*", string.Empty)]);
        var create = RequestAttributes.ForResource("create", "kube-system", "coordination.k8s.io", "leases", string.Empty, string.Empty);

        Assert.True(authorizer.IsAllowed(UserIdentity.Admin, create));
        Assert.False(authorizer.IsAllowed(_bob, create));
        Assert.True(authorizer.IsAllowed(_bob, create with { Verb = "list" }));
        Assert.True(authorizer.IsAllowed(_bob, RequestAttributes.ForPath("get", "/apis/coordination.k8s.io/v1")));
        Assert.False(authorizer.IsAllowed(_bob, RequestAttributes.ForPath("get", "/metrics")));
        Assert.True(authorizer.IsAllowed(_bob, RequestAttributes.ForResource("create", string.Empty, "authorization.k8s.io", "selfsubjectaccessreviews", string.Empty, string.Empty)));
    }

    [Fact]
    public void ForbiddenMessage_NamespacedClusterAndPath_AsUpstream()
    {
        Assert.Equal(
            "User \"bob\" cannot get resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"kube-system\"",
            RequestAttributes.ForResource("get", "kube-system", "coordination.k8s.io", "leases", string.Empty, "x").ForbiddenMessage("bob"));
        Assert.Equal(
            "User \"bob\" cannot patch resource \"services/status\" in API group \"\" at the cluster scope",
            RequestAttributes.ForResource("patch", string.Empty, string.Empty, "services", "status", "x").ForbiddenMessage("bob"));
        Assert.Equal("User \"bob\" cannot get path \"/metrics\"", RequestAttributes.ForPath("get", "/metrics").ForbiddenMessage("bob"));
    }
}
