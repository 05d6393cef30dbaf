using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Ferry.ApiServer.Tests;

public class HostingTests
{
    [Fact]
    public async Task StartAsync_PortZero_WritesKubeconfigThatTheClientUses()
    {
        await using var server = await TestApiServer.StartAsync();
        Assert.NotEqual(0, server.Handle.Port);
        Assert.True(File.Exists(server.Handle.KubeconfigPath));
        var kubeconfig = await File.ReadAllTextAsync(server.Handle.KubeconfigPath, TestContext.Current.CancellationToken);
        Assert.Contains("certificate-authority-data:", kubeconfig, StringComparison.Ordinal);
        Assert.Contains(server.Handle.Token, kubeconfig, StringComparison.Ordinal);

        var namespaces = await server.Client.CoreV1.ListNamespaceAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["default", "kube-node-lease", "kube-public", "kube-system"], namespaces.Items.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Request_WithoutToken_Gets401Status()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient(withToken: false);
        var response = await http.GetAsync(new Uri("/api/v1/namespaces", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("Unauthorized", status["reason"]!.GetValue<string>());
        Assert.Equal(401, status["code"]!.GetValue<int>());

        var version = await http.GetAsync(new Uri("/version", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, version.StatusCode);
    }

    [Fact]
    public async Task Restart_SameDataDirectory_KeepsObjectsTokenAndIncreasingVersions()
    {
        var dir = TestApiServer.NewDataDirectory();
        string token;
        long rvBefore;
        await using (var server = await TestApiServer.StartAsync(dir))
        {
            token = server.Handle.Token;
            var created = await server.Client.CoreV1.CreateNamespacedConfigMapAsync(
                new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kept" }, Data = new Dictionary<string, string> { ["a"] = "1" } },
                "default", cancellationToken: TestContext.Current.CancellationToken);
            rvBefore = long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture);
        }

        await using (var server = await TestApiServer.StartAsync(dir))
        {
            Assert.Equal(token, server.Handle.Token);
            var kept = await server.Client.CoreV1.ReadNamespacedConfigMapAsync("kept", "default", cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("1", kept.Data["a"]);
            var next = await server.Client.CoreV1.CreateNamespacedConfigMapAsync(
                new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "next" } }, "default", cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(long.Parse(next.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > rvBefore);
        }

        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task StartAsync_DataDirectoryInUse_Throws_ThenWorksAfterStop()
    {
        await using var first = await TestApiServer.StartAsync();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApiServer.StartAsync(first.DataDirectory));
        Assert.Contains("data directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_PortInUse_ThrowsAndReleasesTheDataDirectory()
    {
        await using var first = await TestApiServer.StartAsync();
        var dir = TestApiServer.NewDataDirectory();
        try
        {
            var taken = new IPEndPoint(IPAddress.Loopback, first.Handle.Port);
            await Assert.ThrowsAnyAsync<IOException>(() => TestApiServer.StartAsync(dir, o => new ApiServerOptions { DataDirectory = o.DataDirectory, Listen = taken }));
            await using var again = await TestApiServer.StartAsync(dir);
            Assert.NotEqual(0, again.Handle.Port);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
