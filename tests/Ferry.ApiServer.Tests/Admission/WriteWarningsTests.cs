using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.Tests.Admission;

/// <summary>Upstream's Service prefix warnings and the loopback-endpoint warnings local mode answers with.</summary>
public class WriteWarningsTests
{
    [Theory]
    [InlineData(" 10.0.0.0/8", "netip.ParsePrefix(\" 10.0.0.0/8\"): ParseAddr(\" 10.0.0.0\"): unexpected character (at \" 10.0.0.0\")")]
    [InlineData("10.0.0.0/8 ", "netip.ParsePrefix(\"10.0.0.0/8 \"): bad bits after slash: \"8 \"")]
    [InlineData("010.0.0.0/8", "netip.ParsePrefix(\"010.0.0.0/8\"): ParseAddr(\"010.0.0.0\"): IPv4 field has octet with leading zero")]
    [InlineData("10.0.0.0", "netip.ParsePrefix(\"10.0.0.0\"): no '/'")]
    [InlineData("10.0.0.0/33", "netip.ParsePrefix(\"10.0.0.0/33\"): prefix length out of range")]
    [InlineData("10.0.0.0/08", "netip.ParsePrefix(\"10.0.0.0/08\"): bad bits after slash: \"08\"")]
    [InlineData(" ::/0", "netip.ParsePrefix(\" ::/0\"): ParseAddr(\" ::\"): each colon-separated field must have at least one digit (at \" ::\")")]
    [InlineData("10.0.0.0/8", null)]
    [InlineData("2001:db8::/32", null)]
    public void NetipPrefix_ErrorsAsGo(string text, string? expected) =>
        Assert.Equal(expected, NetipPrefix.Error(text, out _));

    [Fact]
    public void ServiceWarnings_SpacePaddedAndNonCanonicalRanges()
    {
        var service = (JsonObject)JsonNode.Parse("""{"spec":{"type":"LoadBalancer","loadBalancerSourceRanges":["10.0.0.0/8"," 192.168.0.0/16","2001:DB8::/32"]}}""")!;

        Assert.Equal(
            [
                "spec.loadBalancerSourceRanges[1]: IP prefix was accepted, but will be invalid in a future Kubernetes release: netip.ParsePrefix(\" 192.168.0.0/16\"): ParseAddr(\" 192.168.0.0\"): unexpected character (at \" 192.168.0.0\")",
                "spec.loadBalancerSourceRanges[2]: IPv6 prefix \"2001:DB8::/32\" is not in RFC 5952 canonical format (\"2001:db8::/32\"), which may cause controller apply-loops",
            ],
            ServiceWarnings.For(service));
    }

    [Fact]
    public void LoopbackWarnings_EndpointSliceAndEndpoints_OnlyLoopback()
    {
        var slice = (JsonObject)JsonNode.Parse("""{"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2","127.0.0.1"]}]}""")!;
        Assert.Equal(
            ["endpoints[1].addresses[1]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128) (accepted by Ferry's local API server; a real cluster refuses it)"],
            LoopbackEndpointWarnings.ForEndpointSlice(slice));

        var v6 = (JsonObject)JsonNode.Parse("""{"addressType":"IPv6","endpoints":[{"addresses":["::1"]}]}""")!;
        Assert.StartsWith("endpoints[0].addresses[0]: Invalid value: \"::1\": may not be in the loopback range", Assert.Single(LoopbackEndpointWarnings.ForEndpointSlice(v6)), StringComparison.Ordinal);

        var fqdn = (JsonObject)JsonNode.Parse("""{"addressType":"FQDN","endpoints":[{"addresses":["localhost"]}]}""")!;
        Assert.Empty(LoopbackEndpointWarnings.ForEndpointSlice(fqdn));

        var endpoints = (JsonObject)JsonNode.Parse("""{"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"notReadyAddresses":[{"ip":"127.0.0.2"}]}]}""")!;
        Assert.StartsWith("subsets[0].notReadyAddresses[0].ip: Invalid value: \"127.0.0.2\": may not be in the loopback range", Assert.Single(LoopbackEndpointWarnings.ForEndpoints(endpoints)), StringComparison.Ordinal);
    }
}
