using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Tests;

/// <summary>Randomised bad input (seeded, bounded): the server must answer with a Status, never a 500, and stay up.</summary>
public class FuzzTests
{
    private static readonly string[] _paths =
    [
        "/api/v1/namespaces/default/services",
        "/api/v1/namespaces/default/configmaps",
        "/api/v1/namespaces/default/events",
        "/api/v1/nodes",
        "/api/v1/namespaces",
        "/apis/apps/v1/namespaces/default/deployments",
        "/apis/coordination.k8s.io/v1/namespaces/default/leases",
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
        "/apis/events.k8s.io/v1/namespaces/default/events",
    ];

    private static readonly string[] _seeds =
    [
        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"s","labels":{"a":"b"}},"spec":{"type":"LoadBalancer","ports":[{"port":80,"targetPort":"http","nodePort":30001}],"selector":{"a":"b"},"externalTrafficPolicy":"Local","loadBalancerSourceRanges":["10.0.0.0/8"]}}""",
        """{"metadata":{"name":"c","finalizers":["x/y"]},"data":{"k":"v"}}""",
        """{"metadata":{"generateName":"e-"},"involvedObject":{"kind":"Service","name":"s"},"reason":"R","count":2,"firstTimestamp":"2026-01-01T00:00:00.123456Z"}""",
        """{"metadata":{"name":"n1"},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"}]}}""",
        """{"metadata":{"name":"d"},"spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}]}]}}}}""",
        """{"metadata":{"name":"l"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15,"renewTime":"2026-01-01T00:00:00.000000Z"}}""",
        """{"metadata":{"name":"es","labels":{"kubernetes.io/service-name":"s"}},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.2"],"conditions":{"ready":true}}],"ports":[{"port":80,"protocol":"TCP"}]}""",
        """[{"op":"add","path":"/metadata/labels/x","value":"y"},{"op":"move","from":"/spec","path":"/spec/x"}]""",
        """{"spec":{"$setElementOrder/ports":[{"port":81}],"ports":[{"$patch":"delete","port":80}]},"metadata":{"$deleteFromPrimitiveList/finalizers":["x/y"]}}""",
    ];

    private static readonly string[] _junk =
    [
        "null", "true", "-1", "1e400", "\"\"", "\"\\ud800\"", "[]", "{}", "[[[[", "{\"a\":", "9223372036854775808", "{\"$patch\":\"replace\"}",
        "{\"$retainKeys\":5}", "\"not-a-date\"", "0.5", "{\"ip\":\"999.1.1.1\"}", "[null]", "{\"port\":\"80\"}",
    ];

    private static readonly string[] _contentTypes =
    [
        "application/json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json",
        "application/apply-patch+yaml", "application/yaml", "application/vnd.kubernetes.protobuf", "text/plain",
    ];

    private static readonly string[] _queries =
    [
        "", "?fieldValidation=Strict", "?dryRun=All", "?dryRun=Some", "?fieldManager=f&force=true", "?resourceVersion=x", "?resourceVersion=0&resourceVersionMatch=Exact",
        "?labelSelector=a%20in%20(", "?labelSelector=!!a", "?fieldSelector=metadata.name%3D%3D", "?fieldSelector=a", "?limit=-1&continue=abc",
        "?watch=true&timeoutSeconds=0", "?watch=1&resourceVersion=999999999999&timeoutSeconds=1", "?fieldValidation=Bogus", "?labelSelector=a%3D%3Db%2Cc!%3Dd",
        "?watch=true&resourceVersion=1&timeoutSeconds=1&allowWatchBookmarks=true&sendInitialEvents=true",
    ];

    [Fact]
    public async Task RandomRequests_NeverGet500()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestApiServer.StartAsync();
        using var http = server.RawClient();
        http.Timeout = TimeSpan.FromSeconds(20);
        var random = new Random(20261125);
        var methods = new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Get, HttpMethod.Delete };
        for (var i = 0; i < 400; i++)
        {
            var collection = _paths[random.Next(_paths.Length)];
            var method = methods[random.Next(methods.Length)];
            var path = method == HttpMethod.Post || random.Next(4) == 0 ? collection : collection + "/" + Name(random);
            if (random.Next(6) == 0)
            {
                path += "/status";
            }

            path += _queries[random.Next(_queries.Length)];
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            if (method != HttpMethod.Get)
            {
                var body = Mutate(random, _seeds[random.Next(_seeds.Length)]);
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(_contentTypes[random.Next(_contentTypes.Length)]);
            }

            var contentType = request.Content?.Headers.ContentType?.MediaType ?? "(no body)";
            HttpResponseMessage response;
            string text;
            try
            {
                response = await http.SendAsync(request, ct);
                text = await response.Content.ReadAsStringAsync(ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                throw new InvalidOperationException($"#{i} {method} {path} {contentType}: no complete response: {ex.Message}", ex);
            }

            using var disposeResponse = response;
            Assert.True((int)response.StatusCode < 500 || response.StatusCode == HttpStatusCode.GatewayTimeout, $"#{i} {method} {path} -> {(int)response.StatusCode}: {text}");
            if (!response.IsSuccessStatusCode)
            {
                var status = JsonNode.Parse(text)!;
                Assert.Equal("Status", status["kind"]!.GetValue<string>());
            }
        }

        var health = await http.GetStringAsync(new Uri("/readyz", UriKind.Relative), ct);
        Assert.Equal("ok", health);
    }

    private static string Name(Random random) => random.Next(3) switch
    {
        0 => "s",
        1 => "c",
        _ => "x" + random.Next(5).ToString(CultureInfo.InvariantCulture),
    };

    private static byte[] Mutate(Random random, string seed)
    {
        switch (random.Next(6))
        {
            case 0:
                return Encoding.UTF8.GetBytes(seed);
            case 1:
                var bytes = Encoding.UTF8.GetBytes(seed);
                for (var k = 0; k < 3; k++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 2:
                return Encoding.UTF8.GetBytes(seed[..random.Next(seed.Length)]);
            case 3:
                // Replace a random value with junk of another type.
                var node = JsonNode.Parse(seed)!;
                ReplaceRandomValue(random, node);
                return Encoding.UTF8.GetBytes(node.ToJsonString().Replace("\"__JUNK__\"", _junk[random.Next(_junk.Length)], StringComparison.Ordinal));
            case 4:
                return Encoding.UTF8.GetBytes(new string('[', 300) + new string(']', 300));
            default:
                return Encoding.UTF8.GetBytes("k8s\0" + seed);
        }
    }

    private static void ReplaceRandomValue(Random random, JsonNode node)
    {
        var containers = new List<JsonNode>();
        void Walk(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                containers.Add(o);
                foreach (var (_, v) in o)
                {
                    Walk(v);
                }
            }
            else if (n is JsonArray a)
            {
                containers.Add(a);
                foreach (var v in a)
                {
                    Walk(v);
                }
            }
        }

        Walk(node);
        var target = containers[random.Next(containers.Count)];
        if (target is JsonObject obj && obj.Count > 0)
        {
            var key = obj.ElementAt(random.Next(obj.Count)).Key;
            obj[key] = "__JUNK__";
        }
        else if (target is JsonArray arr && arr.Count > 0)
        {
            arr[random.Next(arr.Count)] = "__JUNK__";
        }
    }
}
