using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace Ferry.ApiServer.Tests;

/// <summary>
/// <see cref="ApiServerOptions.EmulatedVersion"/>: <c>/version</c> answers as that version, and before 1.30 a Service
/// status write loses <c>ingress[].ipMode</c> with kube-apiserver's <c>unknown field</c> warning (1.28, and 1.29 with the
/// <c>LoadBalancerIPMode</c> gate off, its default); from 1.30 the field is kept and defaulted.
/// </summary>
public class EmulatedVersionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, "32")]
    [InlineData("1.28", "28")]
    [InlineData("v1.29", "29")]
    public async Task Version_AnswersTheEmulatedMinor(string? emulated, string minor)
    {
        await using var server = await TestApiServer.StartAsync(configure: o => o with { EmulatedVersion = emulated });
        var version = await server.Client.Version.GetCodeAsync(Ct);
        Assert.Equal("1", version.Major);
        Assert.Equal(minor, version.Minor);
        Assert.Equal($"v1.{minor}.0-ferry", version.GitVersion);
    }

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.33")]
    [InlineData("2.0")]
    [InlineData("latest")]
    public void Validate_UnsupportedVersion_NamesTheProperty(string emulated)
    {
        var problems = new ApiServerOptions { DataDirectory = "/tmp/x", EmulatedVersion = emulated }.Validate();
        Assert.Contains(problems, p => p.StartsWith("EmulatedVersion: \"" + emulated + "\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1.28")]
    [InlineData("1.29")]
    public async Task StatusPatch_BeforeIpMode_DropsItWithUnknownFieldWarning_AndDefaultsNothing(string emulated)
    {
        await using var server = await TestApiServer.StartAsync(configure: o => o with { EmulatedVersion = emulated });
        using var http = server.RawClient();
        await CreateLoadBalancerAsync(http);

        var (code, body, warnings) = await PatchStatusAsync(http, """{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10","ipMode":"Proxy"},{"ip":"192.0.2.11","ipMode":"VIP"}]}}}""");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("""[{"ip":"192.0.2.10"},{"ip":"192.0.2.11"}]""", body!["status"]!["loadBalancer"]!["ingress"]!.ToJsonString());
        Assert.Equal(["299 - \"unknown field \\\"status.loadBalancer.ingress[0].ipMode\\\"\"", "299 - \"unknown field \\\"status.loadBalancer.ingress[1].ipMode\\\"\""], warnings);

        // Without ipMode nothing is added, nothing is required, and nothing is warned.
        var (again, stored, none) = await PatchStatusAsync(http, """{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.12"}]}}}""");
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal("""[{"ip":"192.0.2.12"}]""", stored!["status"]!["loadBalancer"]!["ingress"]!.ToJsonString());
        Assert.Empty(none);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1.30")]
    public async Task StatusPatch_WithIpMode_KeptAndDefaulted(string? emulated)
    {
        await using var server = await TestApiServer.StartAsync(configure: o => o with { EmulatedVersion = emulated });
        using var http = server.RawClient();
        await CreateLoadBalancerAsync(http);

        var (code, body, warnings) = await PatchStatusAsync(http, """{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10","ipMode":"Proxy"},{"ip":"192.0.2.11"}]}}}""");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("""[{"ip":"192.0.2.10","ipMode":"Proxy"},{"ip":"192.0.2.11","ipMode":"VIP"}]""", body!["status"]!["loadBalancer"]!["ingress"]!.ToJsonString());
        Assert.Empty(warnings);
    }

    private static async Task CreateLoadBalancerAsync(HttpClient http)
    {
        using var content = new StringContent("""{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}""", Encoding.UTF8, "application/json");
        using var created = await http.PostAsync(new Uri("/api/v1/namespaces/default/services", UriKind.Relative), content, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static async Task<(HttpStatusCode Code, JsonNode? Body, IReadOnlyList<string> Warnings)> PatchStatusAsync(HttpClient http, string patch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri("/api/v1/namespaces/default/services/lb/status", UriKind.Relative))
        {
            Content = new StringContent(patch, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/strategic-merge-patch+json");
        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonNode.Parse(text), response.Headers.TryGetValues("Warning", out var values) ? [.. values] : []);
    }
}
