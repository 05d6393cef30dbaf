using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Tests;

/// <summary>Raw-protocol checks for what clients negotiate (discovery, Table, OpenAPI) and for bad input.</summary>
public class ProtocolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Code, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        JsonNode? json = null;
        try
        {
            json = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return (response.StatusCode, json, response);
    }

    private static void AssertStatus(JsonNode? body, int code, string reason)
    {
        Assert.NotNull(body);
        Assert.Equal("Status", body["kind"]!.GetValue<string>());
        Assert.Equal(code, body["code"]!.GetValue<int>());
        Assert.Equal(reason, body["reason"]?.GetValue<string>() ?? string.Empty);
    }

    [Theory]
    [InlineData("{not json", 400, "BadRequest")]
    [InlineData("[1,2]", 400, "BadRequest")]
    [InlineData("", 400, "BadRequest")]
    [InlineData("{\"metadata\":{\"name\":\"Bad_Name\"}}", 422, "Invalid")]
    [InlineData("{\"metadata\":{}}", 422, "Invalid")]
    [InlineData("{\"metadata\":\"x\"}", 400, "BadRequest")]
    [InlineData("{\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"a\"}}", 400, "BadRequest")]
    [InlineData("{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":5}}", 400, "BadRequest")]
    [InlineData("{\"metadata\":{\"name\":\"a\",\"namespace\":\"other\"}}", 400, "BadRequest")]
    public async Task Create_BadBody_GetsStatusNot500(string body, int code, string reason)
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        var (status, json, _) = await SendAsync(http, HttpMethod.Post, "/api/v1/namespaces/default/configmaps", body);
        Assert.Equal(code, (int)status);
        AssertStatus(json, code, reason);
    }

    [Fact]
    public async Task Create_StrictUnknownField_Gets400_WarnGetsHeader()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        var (strict, json, _) = await SendAsync(http, HttpMethod.Post, "/api/v1/namespaces/default/services?fieldValidation=Strict", """{"metadata":{"name":"s"},"spec":{"bogus":1,"ports":[{"port":80}]}}""");
        Assert.Equal(HttpStatusCode.BadRequest, strict);
        Assert.Contains("strict decoding error: unknown field \"spec.bogus\"", json!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (warn, _, response) = await SendAsync(http, HttpMethod.Post, "/api/v1/namespaces/default/services?fieldValidation=Warn", """{"metadata":{"name":"s"},"spec":{"bogus":1,"ports":[{"port":80}]}}""");
        Assert.Equal(HttpStatusCode.Created, warn);
        Assert.Contains(response.Headers.GetValues("Warning"), w => w.Contains("unknown field", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_UnknownFieldWithControlCharacter_WarningEscapedNot500()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        var (code, _, response) = await SendAsync(http, HttpMethod.Post, "/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"bo\u007fgus\u00e9\":1,\"ports\":[{\"port\":80}]}}");
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Contains(response.Headers.GetValues("Warning"), w => w.Contains("spec.bo\\u007fgus\\u00e9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_OversizedBody_Gets413()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        var big = "{\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\"" + new string('x', 4 * 1024 * 1024) + "\"}}";
        var (status, json, _) = await SendAsync(http, HttpMethod.Post, "/api/v1/namespaces/default/configmaps", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        AssertStatus(json, 413, "RequestEntityTooLarge");
    }

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/default/widgets", 404, "NotFound")]
    [InlineData("GET", "/apis/example.com/v1/things", 404, "NotFound")]
    [InlineData("GET", "/nothing/here", 404, "NotFound")]
    [InlineData("PUT", "/api/v1/namespaces/default/services", 405, "MethodNotAllowed")]
    [InlineData("POST", "/api/v1/namespaces/default/services/x", 405, "MethodNotAllowed")]
    [InlineData("GET", "/api/v1/namespaces/default/services?resourceVersion=abc", 400, "BadRequest")]
    [InlineData("GET", "/api/v1/namespaces/default/services?watch=true&resourceVersion=-1", 400, "BadRequest")]
    [InlineData("GET", "/api/v1/namespaces/default/services?resourceVersionMatch=Exact", 422, "Invalid")]
    [InlineData("GET", "/api/v1/namespaces/default/services?watch=true&resourceVersion=1&resourceVersionMatch=NotOlderThan", 422, "Invalid")]
    [InlineData("GET", "/api/v1/namespaces/default/services?resourceVersion=99999999", 504, "Timeout")]
    [InlineData("GET", "/api/v1/namespaces/default/services?fieldSelector=spec.bogus=1", 400, "BadRequest")]
    [InlineData("GET", "/api/v1/namespaces/default/configmaps/x/status", 404, "NotFound")]
    [InlineData("GET", "/api/v1/namespaces/default/services?watch=true&timeoutSeconds=abc", 400, "BadRequest")]
    public async Task Request_BadTarget_GetsStatus(string method, string path, int code, string reason)
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        var (status, json, _) = await SendAsync(http, new HttpMethod(method), path, method is "PUT" or "POST" ? "{}" : null);
        Assert.Equal(code, (int)status);
        AssertStatus(json, code, reason);
    }

    [Fact]
    public async Task Patch_UnknownContentType_Gets415_AndMalformedPatchGets400()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        await SendAsync(http, HttpMethod.Post, "/api/v1/namespaces/default/configmaps", """{"metadata":{"name":"p"}}""");
        var (unsupported, json, _) = await SendAsync(http, HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/p", "{}", "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported);
        AssertStatus(json, 415, "UnsupportedMediaType");
        var (malformed, json2, _) = await SendAsync(http, HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/p", "{oops", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.BadRequest, malformed);
        AssertStatus(json2, 400, "BadRequest");
        var (missing, json3, _) = await SendAsync(http, HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/none", "{}", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        AssertStatus(json3, 404, "NotFound");
        var (applyNoManager, json4, _) = await SendAsync(http, HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/p", "{}", "application/apply-patch+yaml");
        Assert.Equal((HttpStatusCode)422, applyNoManager);
        AssertStatus(json4, 422, "Invalid");
        var (yaml, json5, _) = await SendAsync(http, HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/p?fieldManager=t", "data:\n  a: \"1\"\n  b: yes-text\n", "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.OK, yaml);
        Assert.Equal("1", json5!["data"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public async Task Discovery_NegotiatesAggregatedVersionExactly()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        var (_, v2, r2) = await SendAsync(http, HttpMethod.Get, "/api", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json");
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", r2.Content.Headers.ContentType!.ToString().Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Equal("apidiscovery.k8s.io/v2", v2!["apiVersion"]!.GetValue<string>());
        var services = v2["items"]![0]!["versions"]![0]!["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == "services")!;
        Assert.Equal("svc", services["shortNames"]![0]!.GetValue<string>());
        Assert.Equal("status", services["subresources"]![0]!["subresource"]!.GetValue<string>());

        var (_, beta, rb) = await SendAsync(http, HttpMethod.Get, "/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json");
        Assert.Equal("apidiscovery.k8s.io/v2beta1", beta!["apiVersion"]!.GetValue<string>());
        Assert.Contains("v=v2beta1", rb.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains(beta["items"]!.AsArray(), g => g!["metadata"]!["name"]!.GetValue<string>() == "apps");

        var (_, legacy, _) = await SendAsync(http, HttpMethod.Get, "/apis", accept: "application/json, */*");
        Assert.Equal("APIGroupList", legacy!["kind"]!.GetValue<string>());
        var (_, core, _) = await SendAsync(http, HttpMethod.Get, "/api/v1");
        Assert.Contains(core!["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "services/status");
        var (_, apps, _) = await SendAsync(http, HttpMethod.Get, "/apis/apps/v1");
        Assert.Equal("apps/v1", apps!["groupVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApiV2_IsTheMinimalProtobufDocument()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        using var response = await http.GetAsync(new Uri("/openapi/v2", UriKind.Relative), Ct);
        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0x0A, 0x03, 0x32, 0x2E, 0x30 }, await response.Content.ReadAsByteArrayAsync(Ct));
        var (_, version, _) = await SendAsync(http, HttpMethod.Get, "/version");
        Assert.Equal("32", version!["minor"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_TableAccept_RendersServiceColumns()
    {
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        var (created, body, _) = await SendAsync(http, HttpMethod.Post, "/api/v1/namespaces/default/services", """{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","selector":{"b":"2","a":"1"},"ports":[{"name":"http","port":80,"nodePort":30080,"protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}],"clusterIP":"10.96.0.10","externalIPs":["198.51.100.1"]}}""");
        Assert.True(created == HttpStatusCode.Created, body?.ToJsonString());
        var udpNodePort = body!["spec"]!["ports"]![1]!["nodePort"]!.GetValue<int>();
        await SendAsync(http, HttpMethod.Patch, "/api/v1/namespaces/default/services/lb/status", """{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.9"},{"hostname":"lb.example"},{"ip":"192.0.2.1"}]}}}""", "application/merge-patch+json");
        var (_, table, response) = await SendAsync(http, HttpMethod.Get, "/api/v1/namespaces/default/services", accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
        Assert.Equal("Table", table!["kind"]!.GetValue<string>());
        Assert.Equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"], table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var row = table["rows"]!.AsArray().Single(r => r!["cells"]![0]!.GetValue<string>() == "lb")!;
        var cells = row["cells"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
        Assert.Equal("lb", cells[0]);
        Assert.Equal("LoadBalancer", cells[1]);
        Assert.Equal("10.96.0.10", cells[2]);
        Assert.Equal("192.0.2.1,192.0.2.9,lb.example,198.51.100.1", cells[3]);
        Assert.Equal("80:30080/TCP,53:" + udpNodePort.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/UDP", cells[4]);
        Assert.Matches("^\\d+s$", cells[5]);
        Assert.Equal("a=1,b=2", cells[6]);
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.GetValue<string>());
        var kubernetes = table["rows"]!.AsArray().Single(r => r!["cells"]![0]!.GetValue<string>() == "kubernetes")!;
        Assert.Equal(["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP"], kubernetes["cells"]!.AsArray().Take(5).Select(c => c!.GetValue<string>()));
        Assert.Contains("as=Table", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
    }
}
