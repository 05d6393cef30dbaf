using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Tests.Admission;

internal static class ServiceJson
{
    /// <summary>The body <c>kubectl expose ... --type=LoadBalancer</c> sends, with the namespace filled in.</summary>
    public static JsonObject Expose(string name = "example-service") => JsonNode.Parse("""
        {"apiVersion":"v1","kind":"Service","metadata":{"creationTimestamp":null,"labels":{"app":"example"},"name":"NAME","namespace":"default"},
         "spec":{"ports":[{"port":8765,"protocol":"TCP","targetPort":9376}],"selector":{"app":"example"},"type":"LoadBalancer"},
         "status":{"loadBalancer":{}}}
        """.Replace("NAME", name, StringComparison.Ordinal))!.AsObject();

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>A defaulted, valid ClusterIP Service with one port, ready for validation (clusterIP set).</summary>
    public static JsonObject Valid(string spec = "")
    {
        var service = Parse("""
        {"metadata":{"name":"web","namespace":"default"},
         "spec":{"type":"ClusterIP","ports":[{"port":80,"protocol":"TCP","targetPort":80}],"selector":{"app":"web"},
                 "clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"sessionAffinity":"None","internalTrafficPolicy":"Cluster",
                 "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack"},
         "status":{"loadBalancer":{}}}
        """);
        if (spec.Length == 0)
        {
            return service;
        }

        // The override is merge-patched into spec (null removes a field).
        var patch = Parse("{" + spec.Trim().TrimStart(',') + "}");
        service["spec"] = Ferry.ApiServer.Patching.JsonMergePatch.Apply(service["spec"], patch);
        return service;
    }
}
