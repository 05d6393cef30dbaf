using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Tests.Patching;

namespace Ferry.ApiServer.Tests.Admission;

public class ServiceDefaulterTests
{
    [Fact]
    public void ApplyDefaults_ExposeLoadBalancer_FillsUpstreamDefaults()
    {
        var service = ServiceJson.Expose();
        ServiceDefaulter.ApplyDefaults(service);
        PatchAssert.JsonEqual("""
            {"ports":[{"port":8765,"protocol":"TCP","targetPort":9376}],"selector":{"app":"example"},"type":"LoadBalancer",
             "sessionAffinity":"None","externalTrafficPolicy":"Cluster","internalTrafficPolicy":"Cluster",
             "allocateLoadBalancerNodePorts":true,"ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"]}
            """, service["spec"]);
    }

    [Theory]
    [InlineData("empty spec becomes ClusterIP", """{}""", "type", "\"ClusterIP\"")]
    [InlineData("protocol defaults to TCP", """{"ports":[{"port":80}]}""", "ports", """[{"port":80,"protocol":"TCP","targetPort":80}]""")]
    [InlineData("targetPort 0 becomes port", """{"ports":[{"port":80,"targetPort":0}]}""", "ports", """[{"port":80,"targetPort":80,"protocol":"TCP"}]""")]
    [InlineData("named targetPort kept", """{"ports":[{"port":80,"targetPort":"http"}]}""", "ports", """[{"port":80,"targetPort":"http","protocol":"TCP"}]""")]
    [InlineData("ClientIP gets 3h timeout", """{"sessionAffinity":"ClientIP"}""", "sessionAffinityConfig", """{"clientIP":{"timeoutSeconds":10800}}""")]
    [InlineData("ClientIP keeps explicit timeout", """{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}}}""", "sessionAffinityConfig", """{"clientIP":{"timeoutSeconds":60}}""")]
    [InlineData("None drops config", """{"sessionAffinity":"None","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}}}""", "sessionAffinityConfig", "null")]
    [InlineData("ClusterIP has no externalTrafficPolicy", """{"type":"ClusterIP"}""", "externalTrafficPolicy", "null")]
    [InlineData("ClusterIP with externalIPs is external", """{"type":"ClusterIP","externalIPs":["192.0.2.1"]}""", "externalTrafficPolicy", "\"Cluster\"")]
    [InlineData("NodePort gets Cluster policy", """{"type":"NodePort"}""", "externalTrafficPolicy", "\"Cluster\"")]
    [InlineData("NodePort has no allocateLoadBalancerNodePorts", """{"type":"NodePort"}""", "allocateLoadBalancerNodePorts", "null")]
    [InlineData("LB keeps explicit false", """{"type":"LoadBalancer","allocateLoadBalancerNodePorts":false}""", "allocateLoadBalancerNodePorts", "false")]
    [InlineData("ExternalName has no families", """{"type":"ExternalName","externalName":"x.example"}""", "ipFamilies", "null")]
    [InlineData("ExternalName has no internal policy", """{"type":"ExternalName","externalName":"x.example"}""", "internalTrafficPolicy", "null")]
    public void ApplyDefaults_Table(string description, string spec, string field, string expected)
    {
        var service = ServiceJson.Parse($$$"""{"metadata":{"name":"s"},"spec":{{{spec}}}}""");
        ServiceDefaulter.ApplyDefaults(service);
        PatchAssert.JsonEqual(expected, service["spec"]![field], description);
    }

    [Fact]
    public void ApplyDefaults_IsIdempotent()
    {
        var once = ServiceJson.Expose();
        ServiceDefaulter.ApplyDefaults(once);
        var twice = once.DeepClone().AsObject();
        ServiceDefaulter.ApplyDefaults(twice);
        PatchAssert.JsonEqual(once.ToJsonString(), twice);
    }

    [Fact]
    public void DefaultStatus_IngressWithIp_GetsVipMode()
    {
        var service = ServiceJson.Parse("""{"spec":{"type":"LoadBalancer"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"},{"hostname":"lb.example"}]}}}""");
        ServiceDefaulter.DefaultStatus(service);
        PatchAssert.JsonEqual("""[{"ip":"192.0.2.1","ipMode":"VIP"},{"hostname":"lb.example"}]""", service["status"]!["loadBalancer"]!["ingress"]);
    }

    [Fact]
    public void ApplyDefaults_NoStatus_AddsEmptyLoadBalancer()
    {
        var service = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s" } };
        ServiceDefaulter.ApplyDefaults(service);
        PatchAssert.JsonEqual("""{"loadBalancer":{}}""", service["status"]);
    }
}
