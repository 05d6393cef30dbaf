using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Ferry.ApiServer.Tests.Http;

public class AuditLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AuditLogPath_EveryRequest_IsOneEventLine_WithVerbObjectClientAndCode()
    {
        var path = Path.Combine(TestApiServer.NewDataDirectory(), "audit", "audit.log");
        try
        {
            await using (var server = await TestApiServer.StartAsync(configure: o => o with { AuditLogPath = path }))
            {
                using var http = server.RawClient();
                http.DefaultRequestHeaders.UserAgent.ParseAdd("replica-a/1.0");
                using var body = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"audited"}}""", System.Text.Encoding.UTF8, "application/json");
                Assert.Equal(HttpStatusCode.Created, (await http.PostAsync(new Uri("/api/v1/namespaces/default/configmaps", UriKind.Relative), body, Ct)).StatusCode);
                using var patch = new StringContent("""{"data":{"a":"1"}}""", System.Text.Encoding.UTF8, "application/merge-patch+json");
                Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync(new Uri("/api/v1/namespaces/default/configmaps/audited", UriKind.Relative), patch, Ct)).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/api/v1/namespaces/default/configmaps/missing", UriKind.Relative), Ct)).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/version", UriKind.Relative), Ct)).StatusCode);
                await server.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "l" }, Spec = new V1LeaseSpec { HolderIdentity = "x" } }, "default", cancellationToken: Ct);
            }

            var events = (await File.ReadAllLinesAsync(path, Ct)).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
            Assert.All(events, e =>
            {
                Assert.Equal("audit.k8s.io/v1", (string?)e["apiVersion"]);
                Assert.Equal("Event", (string?)e["kind"]);
                Assert.Equal("ResponseComplete", (string?)e["stage"]);
                Assert.Equal("127.0.0.1", (string?)e["sourceIPs"]![0]);
            });

            var create = Assert.Single(events, e => (string?)e["verb"] == "create" && (string?)e["objectRef"]?["resource"] == "configmaps");
            Assert.Equal("replica-a/1.0", (string?)create["userAgent"]);
            Assert.Equal("ferry-admin", (string?)create["user"]!["username"]);
            Assert.Equal("default", (string?)create["objectRef"]!["namespace"]);
            Assert.Equal(201, (int?)create["responseStatus"]!["code"]);
            Assert.Equal("/api/v1/namespaces/default/configmaps", (string?)create["requestURI"]);

            var patched = Assert.Single(events, e => (string?)e["verb"] == "patch");
            Assert.Equal("audited", (string?)patched["objectRef"]!["name"]);
            Assert.Equal(200, (int?)patched["responseStatus"]!["code"]);

            var missing = Assert.Single(events, e => (string?)e["verb"] == "get" && (string?)e["objectRef"]?["name"] == "missing");
            Assert.Equal(404, (int?)missing["responseStatus"]!["code"]);

            var version = Assert.Single(events, e => (string?)e["requestURI"] == "/version");
            Assert.Equal("get", (string?)version["verb"]);
            Assert.Null(version["objectRef"]);

            var lease = Assert.Single(events, e => (string?)e["verb"] == "create" && (string?)e["objectRef"]?["resource"] == "leases");
            Assert.Equal("coordination.k8s.io", (string?)lease["objectRef"]!["apiGroup"]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(path))!, recursive: true);
        }
    }

    [Fact]
    public async Task WithoutAuditLogPath_NoFileIsWritten()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.Empty(Directory.GetFiles(server.DataDirectory, "*audit*", SearchOption.AllDirectories));
    }
}
