using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ferry.ApiServer.Tests.CustomResources;

/// <summary>Custom resources through the official KubernetesClient: status subresource, selectors, watch, finalizers, the definition's deletion.</summary>
public class CustomResourceClientTests
{
    private const string Group = "example.com";
    private const string Plural = "widgets";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Definition_GetsEstablishedStatus_AndItsObjectsHaveAStatusSubresource()
    {
        await using var server = await TestApiServer.StartAsync();
        var client = server.Client;
        await DefineAsync(client);

        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(WidgetDefinition.Name, cancellationToken: Ct);
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True" && c.Reason == "InitialNamesAccepted");
        Assert.Contains(crd.Status.Conditions, c => c.Type == "NamesAccepted" && c.Status == "True" && c.Reason == "NoConflicts");
        Assert.Equal(["v1"], crd.Status.StoredVersions);
        Assert.Equal("Widget", crd.Status.AcceptedNames.Kind);
        Assert.Equal("WidgetList", crd.Spec.Names.ListKind);
        Assert.Equal(1, crd.Metadata.Generation);

        // Status sent with a create is dropped; the status subresource changes status only.
        await CreateAsync(client, "w1", 3, status: new { ready = true });
        var created = await GetAsync(client, "w1");
        Assert.False(created.TryGetProperty("status", out _));
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"ready\":true},\"spec\":{\"size\":9}}", V1Patch.PatchType.MergePatch), Group, "v1", "default", Plural, "w1", cancellationToken: Ct);
        var patched = await GetAsync(client, "w1");
        Assert.True(patched.GetProperty("status").GetProperty("ready").GetBoolean());
        Assert.Equal(3, patched.GetProperty("spec").GetProperty("size").GetInt32());
        Assert.Equal(1, patched.GetProperty("metadata").GetProperty("generation").GetInt32());
    }

    [Fact]
    public async Task ListWithSelectors_AndWatch_SeeCustomResources()
    {
        await using var server = await TestApiServer.StartAsync();
        var client = server.Client;
        await DefineAsync(client);
        await CreateAsync(client, "w1", 1, labels: new Dictionary<string, string> { ["tier"] = "a" });
        await CreateAsync(client, "w2", 2, labels: new Dictionary<string, string> { ["tier"] = "b" });

        var byLabel = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, "v1", "default", Plural, labelSelector: "tier=b", cancellationToken: Ct);
        Assert.Equal(["w2"], Names(byLabel));
        Assert.Equal("WidgetList", byLabel.GetProperty("kind").GetString());
        var byName = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, "v1", "default", Plural, fieldSelector: "metadata.name=w1", cancellationToken: Ct);
        Assert.Equal(["w1"], Names(byName));
        var badField = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.ListNamespacedCustomObjectAsync(Group, "v1", "default", Plural, fieldSelector: "spec.size=1", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, badField.Response.StatusCode);

        var rv = byLabel.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        using var watch = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(watch.Token, Ct);
        var events = new List<(WatchEventType, string?)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(Group, "v1", "default", Plural, resourceVersion: rv, cancellationToken: linked.Token))
            {
                events.Add((type, ((JsonElement)item).GetProperty("metadata").GetProperty("name").GetString()));
                if (events.Count == 2)
                {
                    return;
                }
            }
        }, Ct);
        await CreateAsync(client, "w3", 3);
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, "v1", "default", Plural, "w3", cancellationToken: Ct);
        await watching.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal([(WatchEventType.Added, "w3"), (WatchEventType.Deleted, "w3")], events);
    }

    [Fact]
    public async Task DeletingTheDefinition_WaitsForObjectsWithFinalizers_RefusesNewOnes_ThenGoes()
    {
        await using var server = await TestApiServer.StartAsync();
        var client = server.Client;
        await DefineAsync(client);
        await CreateAsync(client, "kept", 1, finalizers: ["example.com/hold"]);
        await CreateAsync(client, "plain", 2);

        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(WidgetDefinition.Name, cancellationToken: Ct);

        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(WidgetDefinition.Name, cancellationToken: Ct);
        Assert.NotNull(crd.Metadata.DeletionTimestamp);
        Assert.Contains("customresourcecleanup.apiextensions.k8s.io", crd.Metadata.Finalizers);
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Terminating" && c.Status == "True" && c.Reason == "InstanceDeletionInProgress");
        var kept = await GetAsync(client, "kept");
        Assert.True(kept.GetProperty("metadata").TryGetProperty("deletionTimestamp", out _));
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => GetAsync(client, "plain"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(client, "late", 1));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.Contains("create not allowed while custom resource definition is terminating", refused.Response.Content, StringComparison.Ordinal);

        // The last finalizer goes: the object, then the definition, and with it the resource.
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), Group, "v1", "default", Plural, "kept", cancellationToken: Ct);
        var crdGone = await Assert.ThrowsAsync<HttpOperationException>(() => client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(WidgetDefinition.Name, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, crdGone.Response.StatusCode);
        var resourceGone = await Assert.ThrowsAsync<HttpOperationException>(() => GetAsync(client, "kept"));
        Assert.Equal(HttpStatusCode.NotFound, resourceGone.Response.StatusCode);
    }

    [Fact]
    public async Task InvalidDefinitions_AreRefusedWithUpstreamFieldErrors()
    {
        await using var server = await TestApiServer.StartAsync();
        var client = server.Client;
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(WidgetDefinition.Yaml());
        crd.Metadata.Name = "gadgets.example.com";
        crd.Spec.Group = "example";
        crd.Spec.Versions[0].Storage = true;

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        var message = JsonDocument.Parse(refused.Response.Content).RootElement.GetProperty("message").GetString();
        Assert.StartsWith("CustomResourceDefinition.apiextensions.k8s.io \"gadgets.example.com\" is invalid: [", message, StringComparison.Ordinal);
        Assert.Contains("metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group", message, StringComparison.Ordinal);
        Assert.Contains("spec.group: Invalid value: \"example\": should be a domain with at least one dot", message, StringComparison.Ordinal);
        Assert.Contains("must have exactly one version marked as storage version", message, StringComparison.Ordinal);
        var list = await client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: Ct);
        Assert.Empty(list.Items);
    }

    private static async Task DefineAsync(Kubernetes client) =>
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(WidgetDefinition.Yaml()), cancellationToken: Ct);

    private static Task<object> CreateAsync(Kubernetes client, string name, int size, object? status = null, Dictionary<string, string>? labels = null, string[]? finalizers = null) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new Dictionary<string, object?>
            {
                ["apiVersion"] = "example.com/v1",
                ["kind"] = "Widget",
                ["metadata"] = new Dictionary<string, object?> { ["name"] = name, ["labels"] = labels, ["finalizers"] = finalizers },
                ["spec"] = new Dictionary<string, object?> { ["size"] = size },
                ["status"] = status,
            },
            Group, "v1", "default", Plural, cancellationToken: Ct);

    private static async Task<JsonElement> GetAsync(Kubernetes client, string name) =>
        (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(Group, "v1", "default", Plural, name, cancellationToken: Ct);

    private static List<string?> Names(JsonElement list) =>
        [.. list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString())];
}
