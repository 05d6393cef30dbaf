using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ferry.ApiServer.Tests.Authorization;

/// <summary>
/// Extra users from a token file with an ABAC policy, upstream's 403, and the self reviews behind
/// <c>kubectl auth can-i</c>, through KubernetesClient and the real kubectl.
/// </summary>
public class AccessControlTests
{
    private const string BobToken = "bob-token-0123456789";

    /// <summary>bob may read leases in kube-system and do anything with Services in default.</summary>
    private static readonly string[] _policy =
    [
        """{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"bob","namespace":"kube-system","resource":"leases","apiGroup":"coordination.k8s.io","readonly":true}}""",
        """{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"group":"devs","namespace":"default","resource":"services","apiGroup":""}}""",
    ];

    [Fact]
    public async Task PolicyUser_AllowedRequestsServed_OthersGetUpstreams403()
    {
        await using var server = await StartWithBobAsync();
        using var bob = ClientFor(server, BobToken);
        var ct = TestContext.Current.CancellationToken;
        await server.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "x" } }, "kube-system", cancellationToken: ct);

        var lease = await bob.CoordinationV1.ReadNamespacedLeaseAsync("x", "kube-system", cancellationToken: ct);
        Assert.Equal("x", lease.Metadata.Name);
        Assert.Single((await bob.CoordinationV1.ListNamespacedLeaseAsync("kube-system", cancellationToken: ct)).Items);
        await bob.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } }, "default", cancellationToken: ct);

        var get = await Assert.ThrowsAsync<HttpOperationException>(() => bob.CoordinationV1.ReadNamespacedLeaseAsync("x", "default", cancellationToken: ct));
        Assert.Equal(HttpStatusCode.Forbidden, get.Response.StatusCode);
        var status = JsonNode.Parse(get.Response.Content)!;
        Assert.Equal("leases.coordination.k8s.io \"x\" is forbidden: User \"bob\" cannot get resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\"", (string)status["message"]!);
        Assert.Equal("Forbidden", (string)status["reason"]!);
        Assert.Equal(403, (int)status["code"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"x","group":"coordination.k8s.io","kind":"leases"}"""), status["details"]), status["details"]!.ToJsonString());

        var update = await Assert.ThrowsAsync<HttpOperationException>(() => bob.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "x", "kube-system", cancellationToken: ct));
        Assert.Equal(HttpStatusCode.Forbidden, update.Response.StatusCode);
        Assert.Equal("leases.coordination.k8s.io \"x\" is forbidden: User \"bob\" cannot update resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"kube-system\"", (string)JsonNode.Parse(update.Response.Content)!["message"]!);

        var create = await Assert.ThrowsAsync<HttpOperationException>(() => bob.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "n" } }, cancellationToken: ct));
        var createStatus = JsonNode.Parse(create.Response.Content)!;
        Assert.Equal("namespaces is forbidden: User \"bob\" cannot create resource \"namespaces\" in API group \"\" at the cluster scope", (string)createStatus["message"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"kind":"namespaces"}"""), createStatus["details"]));

        // Nothing was written by the refused requests; the admin still has full access.
        Assert.Equal(4, (await server.Client.CoreV1.ListNamespaceAsync(cancellationToken: ct)).Items.Count);
        await server.Client.CoordinationV1.ReadNamespacedLeaseAsync("x", "kube-system", cancellationToken: ct);
    }

    [Fact]
    public async Task WrongToken_Is401_AndDiscoveryIsOpenToEveryUser()
    {
        await using var server = await StartWithBobAsync();
        using var stranger = ClientFor(server, "not-a-token");
        var ct = TestContext.Current.CancellationToken;
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespaceAsync(cancellationToken: ct));
        Assert.Equal(HttpStatusCode.Unauthorized, ex.Response.StatusCode);

        using var http = server.RawClient(withToken: false);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BobToken);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/apis", UriKind.Relative), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/api/v1", UriKind.Relative), ct)).StatusCode);
        var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);
        Assert.Equal("forbidden: User \"bob\" cannot get path \"/metrics\"", (string)JsonNode.Parse(await metrics.Content.ReadAsStringAsync(ct))!["message"]!);
    }

    [Fact]
    public async Task SelfSubjectAccessReview_AnswersForTheCaller()
    {
        await using var server = await StartWithBobAsync();
        using var bob = ClientFor(server, BobToken);
        var ct = TestContext.Current.CancellationToken;
        var review = new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { Verb = "create", Group = "coordination.k8s.io", Resource = "leases", NamespaceProperty = "kube-system" },
            },
        };

        var admin = await server.Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct);
        Assert.True(admin.Status.Allowed);
        Assert.Equal("leases", admin.Spec.ResourceAttributes.Resource);

        Assert.False((await bob.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct)).Status.Allowed);
        review.Spec.ResourceAttributes.Verb = "watch";
        Assert.True((await bob.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct)).Status.Allowed);

        var nonResource = new V1SelfSubjectAccessReview { Spec = new V1SelfSubjectAccessReviewSpec { NonResourceAttributes = new V1NonResourceAttributes { Path = "/version", Verb = "get" } } };
        Assert.True((await bob.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(nonResource, cancellationToken: ct)).Status.Allowed);

        var empty = await Assert.ThrowsAsync<HttpOperationException>(() => bob.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview { Spec = new V1SelfSubjectAccessReviewSpec() }, cancellationToken: ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.Response.StatusCode);
        Assert.Contains("exactly one of nonResourceAttributes or resourceAttributes must be specified", empty.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SelfSubjectRulesReview_AdminEverything_UserItsPolicy()
    {
        await using var server = await StartWithBobAsync();
        using var bob = ClientFor(server, BobToken);
        var ct = TestContext.Current.CancellationToken;
        var review = new V1SelfSubjectRulesReview { Spec = new V1SelfSubjectRulesReviewSpec { NamespaceProperty = "kube-system" } };

        var admin = await server.Client.AuthorizationV1.CreateSelfSubjectRulesReviewAsync(review, cancellationToken: ct);
        Assert.Contains(admin.Status.ResourceRules, r => r.Verbs.SequenceEqual(["*"]) && r.ApiGroups.SequenceEqual(["*"]) && r.Resources.SequenceEqual(["*"]));
        Assert.False(admin.Status.Incomplete);

        var rules = await bob.AuthorizationV1.CreateSelfSubjectRulesReviewAsync(review, cancellationToken: ct);
        Assert.Contains(rules.Status.ResourceRules, r => r.Verbs.SequenceEqual(["get", "list", "watch"]) && r.Resources.SequenceEqual(["leases"]) && r.ApiGroups.SequenceEqual(["coordination.k8s.io"]));
        Assert.DoesNotContain(rules.Status.ResourceRules, r => r.Resources.Contains("services"));

        var noNamespace = await Assert.ThrowsAsync<HttpOperationException>(() => bob.AuthorizationV1.CreateSelfSubjectRulesReviewAsync(new V1SelfSubjectRulesReview { Spec = new V1SelfSubjectRulesReviewSpec() }, cancellationToken: ct));
        Assert.Equal(HttpStatusCode.BadRequest, noNamespace.Response.StatusCode);
    }

    [Fact]
    public async Task Discovery_ListsSelfReviewsCreateOnly_GetIs405()
    {
        await using var server = await StartWithBobAsync();
        using var http = server.RawClient();
        var ct = TestContext.Current.CancellationToken;
        var list = JsonNode.Parse(await http.GetStringAsync(new Uri("/apis/authorization.k8s.io/v1", UriKind.Relative), ct))!;
        var names = list["resources"]!.AsArray().Select(r => ((string)r!["name"]!, r!["verbs"]!.ToJsonString(), (bool)r!["namespaced"]!)).ToList();
        Assert.Equal([("selfsubjectaccessreviews", "[\"create\"]", false), ("selfsubjectrulesreviews", "[\"create\"]", false)], names);

        var get = await http.GetAsync(new Uri("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task KubectlAuthCanI_AdminYes_PolicyUserAsItsPolicy()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await StartWithBobAsync();
        using var admin = new Kubectl(server.Handle.KubeconfigPath);
        var bobConfig = server.Handle.WriteKubeconfig(Path.Combine(server.DataDirectory, "bob.kubeconfig"), BobToken, "bob");
        using var bob = new Kubectl(bobConfig);

        var yes = await admin.RunAsync("auth can-i create leases -n kube-system");
        Assert.True(yes.ExitCode == 0, yes.StdErr);
        Assert.Equal("yes", yes.StdOut.Trim());

        var no = await bob.RunAsync("auth can-i create leases -n kube-system");
        Assert.Equal(1, no.ExitCode);
        Assert.Equal("no", no.StdOut.Trim());
        var read = await bob.RunAsync("auth can-i get leases -n kube-system");
        Assert.Equal("yes", read.StdOut.Trim());

        var adminList = await admin.RunAsync("auth can-i --list");
        Assert.True(adminList.ExitCode == 0, adminList.StdErr);
        Assert.Matches(@"(?m)^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]", adminList.StdOut);

        var bobList = await bob.RunAsync("auth can-i --list -n kube-system");
        Assert.True(bobList.ExitCode == 0, bobList.StdErr);
        Assert.Matches(@"(?m)^leases\.coordination\.k8s\.io\s+\[\]\s+\[\]\s+\[get list watch\]", bobList.StdOut);

        var refused = await bob.RunAsync("get leases -n default");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Error from server (Forbidden): leases.coordination.k8s.io is forbidden: User \"bob\" cannot list resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\"", refused.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MissingOrBadAccessFiles_AreClearErrors()
    {
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => TestApiServer.StartAsync(configure: o => o with { TokenAuthFile = "/nonexistent/tokens.csv" }));
        Assert.Contains("TokenAuthFile: file /nonexistent/tokens.csv does not exist", missing.Message, StringComparison.Ordinal);

        var dir = TestApiServer.NewDataDirectory();
        var policy = Path.Combine(dir, "policy.jsonl");
        await File.WriteAllTextAsync(policy, "{\"user\":\"bob\"}\n", TestContext.Current.CancellationToken);
        var bad = await Assert.ThrowsAsync<ArgumentException>(() => TestApiServer.StartAsync(configure: o => o with { AuthorizationPolicyFile = policy }));
        Assert.Contains("error reading policy file " + policy + ", line 1", bad.Message, StringComparison.Ordinal);
    }

    private static async Task<TestApiServer> StartWithBobAsync()
    {
        var files = TestApiServer.NewDataDirectory();
        var tokens = Path.Combine(files, "tokens.csv");
        var policy = Path.Combine(files, "policy.jsonl");
        var ct = TestContext.Current.CancellationToken;
        await File.WriteAllTextAsync(tokens, BobToken + ",bob,1001,\"devs,qa\"\n", ct);
        await File.WriteAllLinesAsync(policy, _policy, ct);
        return await TestApiServer.StartAsync(configure: o => o with { TokenAuthFile = tokens, AuthorizationPolicyFile = policy });
    }

    private static Kubernetes ClientFor(TestApiServer server, string token)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Handle.KubeconfigPath);
        config.AccessToken = token;
        return new Kubernetes(config);
    }
}
