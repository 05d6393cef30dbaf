using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ferry.ApiServer.Tests;

/// <summary>
/// Managers of non-apply writes (create, patch, replace, status) in <c>managedFields</c>, and server-side apply
/// conflicting with them as kube-apiserver does, through the real kubectl and KubernetesClient.
/// </summary>
public class KubectlManagedFieldsTests
{
    private const string Created = """
        apiVersion: v1
        kind: Service
        metadata:
          name: x
        spec:
          selector:
            app: x
          ports:
          - port: 80
            protocol: TCP
        """;

    [Fact]
    public async Task PatchThenServerSideApply_ConflictsWithKubectlPatch_ForceConflictsTakesOver()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        var ct = TestContext.Current.CancellationToken;

        var create = await kubectl.RunAsync("create -f -", Created);
        Assert.True(create.ExitCode == 0, create.StdErr);
        var patch = await kubectl.RunAsync("patch svc x -p '{\"spec\":{\"type\":\"NodePort\"}}'");
        Assert.True(patch.ExitCode == 0, patch.StdErr);

        var svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("x", "default", cancellationToken: ct);
        var patcher = Assert.Single(svc.Metadata.ManagedFields, m => m.Manager == "kubectl-patch");
        Assert.Equal("Update", patcher.Operation);
        Assert.Equal("""{"f:spec":{"f:type":{}}}""", JsonNode.Parse(patcher.FieldsV1.ToString()!)!.ToJsonString());
        var creator = Assert.Single(svc.Metadata.ManagedFields, m => m.Manager == "kubectl-create");
        Assert.DoesNotContain("f:type", creator.FieldsV1.ToString(), StringComparison.Ordinal);

        var applied = Created.Replace("spec:", "spec:\n  type: LoadBalancer", StringComparison.Ordinal);
        var refused = await kubectl.RunAsync("apply --server-side -f -", applied);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using v1: .spec.type", refused.StdErr, StringComparison.Ordinal);
        svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("x", "default", cancellationToken: ct);
        Assert.Equal("NodePort", svc.Spec.Type);

        var forced = await kubectl.RunAsync("apply --server-side --force-conflicts -f -", applied);
        Assert.True(forced.ExitCode == 0, forced.StdErr);
        Assert.Contains("service/x serverside-applied", forced.StdOut, StringComparison.Ordinal);
        svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("x", "default", cancellationToken: ct);
        Assert.Equal("LoadBalancer", svc.Spec.Type);
        Assert.DoesNotContain(svc.Metadata.ManagedFields, m => m.Manager == "kubectl-patch");
        var applier = Assert.Single(svc.Metadata.ManagedFields, m => m.Manager == "kubectl" && m.Operation == "Apply");
        Assert.Contains("\"f:type\"", applier.FieldsV1.ToString(), StringComparison.Ordinal);

        var shown = await kubectl.RunAsync("get svc x -o yaml --show-managed-fields");
        Assert.True(shown.ExitCode == 0, shown.StdErr);
        Assert.Contains("manager: kubectl-create", shown.StdOut, StringComparison.Ordinal);
        Assert.Contains("operation: Update", shown.StdOut, StringComparison.Ordinal);
        Assert.Contains("manager: kubectl", shown.StdOut, StringComparison.Ordinal);
        var hidden = await kubectl.RunAsync("get svc x -o yaml");
        Assert.DoesNotContain("managedFields", hidden.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientWrites_ManagerFromFieldManagerOrUserAgent_StatusWritesNameTheSubresource()
    {
        await using var server = await TestApiServer.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var svc = await server.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] } },
            "default",
            fieldManager: "creator",
            cancellationToken: ct);
        Assert.Equal(["creator"], svc.Metadata.ManagedFields.Select(m => m.Manager));

        using var http = server.RawClient();
        http.DefaultRequestHeaders.UserAgent.ParseAdd("my-controller/1.2.3");
        using var body = new StringContent("""{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10"}]}}}""", System.Text.Encoding.UTF8, "application/merge-patch+json");
        var response = await http.PatchAsync(new Uri("/api/v1/namespaces/default/services/web/status", UriKind.Relative), body, ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(ct));

        svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: ct);
        var status = Assert.Single(svc.Metadata.ManagedFields, m => m.Manager == "my-controller");
        Assert.Equal("status", status.Subresource);
        Assert.Equal("""{"f:status":{"f:loadBalancer":{"f:ingress":{}}}}""", JsonNode.Parse(status.FieldsV1.ToString()!)!.ToJsonString());

        // Applying spec fields never conflicts with a status manager; applying a field the creator set to another value does.
        var apply = new V1Patch("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"type":"NodePort"}}""", V1Patch.PatchType.ApplyPatch);
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.PatchNamespacedServiceAsync(apply, "web", "default", fieldManager: "applier", cancellationToken: ct));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, ex.Response.StatusCode);
        var conflict = JsonNode.Parse(ex.Response.Content)!;
        Assert.Equal("Apply failed with 1 conflict: conflict with \"creator\" using v1: .spec.type", (string)conflict["message"]!);
        Assert.Equal("Conflict", (string)conflict["reason"]!);
        var cause = Assert.Single(conflict["details"]!["causes"]!.AsArray())!;
        Assert.Equal("FieldManagerConflict", (string)cause["reason"]!);
        Assert.Equal("conflict with \"creator\" using v1", (string)cause["message"]!);
        Assert.Equal(".spec.type", (string)cause["field"]!);
    }
}
