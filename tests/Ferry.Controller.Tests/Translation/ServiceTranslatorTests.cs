using System.Net;
using Ferry.Contracts;
using Ferry.Controller.Translation;
using k8s.Models;

namespace Ferry.Controller.Tests.Translation;

public class ServiceTranslatorTests
{
    private static readonly IPAddress[] _vip = [IPAddress.Parse("203.0.113.10")];
    private readonly ServiceTranslator _translator = new(new TranslationOptions());

    /// <summary>As the reconciler does: the target mode decided once, then the translation for it.</summary>
    private static TranslationResult Translate(ServiceTranslator translator, V1Service service, IReadOnlyList<IPAddress> addresses, IReadOnlyList<V1Node> nodes, IReadOnlyList<V1EndpointSlice> slices) =>
        translator.Translate(service, translator.TargetsFor(service), addresses, nodes, slices);

    [Fact]
    public void Translate_NodesCluster_TargetsNodePortsWithKubeProxyCheck()
    {
        var service = Builders.LoadBalancer("web", Builders.Port(80, nodePort: 30080), Builders.Port(53, "UDP", nodePort: 30053));
        var nodes = new[] { Builders.Node("b", "192.0.2.2"), Builders.Node("a", externalIp: "198.51.100.1", internalIp: "192.0.2.1"), Builders.Node("c", externalIp: "198.51.100.3") };

        var result = Translate(_translator, service, _vip, nodes, []);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var spec = result.Spec!;
        Assert.Equal(new LoadBalancerKey("default", "web"), spec.Key);
        Assert.Equal(_vip, spec.Addresses.AsImmutableArray());
        Assert.Equal(2, spec.Listeners.Length);
        var tcp = spec.Listeners[0];
        Assert.Equal((TransportProtocol.Tcp, 80), (tcp.Protocol, tcp.Port));
        Assert.Equal(["192.0.2.1:30080", "192.0.2.2:30080", "198.51.100.3:30080"], tcp.Backends.Select(b => b.ToString()));
        Assert.Equal(HealthCheckType.Http, tcp.HealthCheck!.Type);
        Assert.Equal(10256, tcp.HealthCheck.Port);
        Assert.Equal("/healthz", tcp.HealthCheck.Path);
        Assert.Equal(TransportProtocol.Udp, spec.Listeners[1].Protocol);
        Assert.Equal(30053, spec.Listeners[1].Backends[0].Port);
    }

    [Fact]
    public void Translate_NodesLocal_ChecksHealthCheckNodePort()
    {
        var service = Builders.LoadBalancer();
        service.Spec.ExternalTrafficPolicy = "Local";
        service.Spec.HealthCheckNodePort = 32123;

        var spec = Translate(_translator, service, _vip, [Builders.Node("a", "192.0.2.1")], []).Spec!;

        Assert.Equal(HealthCheckType.Http, spec.Listeners[0].HealthCheck!.Type);
        Assert.Equal(32123, spec.Listeners[0].HealthCheck!.Port);
        Assert.Equal(200, spec.Listeners[0].HealthCheck!.ExpectedStatus);
    }

    [Fact]
    public void Translate_ClusterWithNodePortCheckOption_UsesTcpOnNodePort()
    {
        var translator = new ServiceTranslator(new TranslationOptions { ClusterPolicyChecksNodePort = true });
        var spec = Translate(translator, Builders.LoadBalancer(), _vip, [Builders.Node("a", "192.0.2.1")], []).Spec!;
        Assert.Equal(HealthCheckType.Tcp, spec.Listeners[0].HealthCheck!.Type);
        Assert.Null(spec.Listeners[0].HealthCheck!.Port);
    }

    [Fact]
    public void Translate_ClusterWithNodePortCheckOption_LeavesUdpPortsUnchecked()
    {
        var translator = new ServiceTranslator(new TranslationOptions { ClusterPolicyChecksNodePort = true });
        var service = Builders.LoadBalancer("dns", Builders.Port(53, nodePort: 30053, name: "dns", protocol: "UDP"), Builders.Port(53, nodePort: 30054, name: "dns-tcp"));

        var spec = Translate(translator, service, _vip, [Builders.Node("a", "192.0.2.1")], []).Spec!;

        Assert.Null(spec.Listeners.Single(l => l.Protocol == TransportProtocol.Udp).HealthCheck);
        Assert.Equal(HealthCheckType.Tcp, spec.Listeners.Single(l => l.Protocol == TransportProtocol.Tcp).HealthCheck!.Type);
    }

    [Fact]
    public void Translate_Endpoints_ResolvesTargetPortByNameAndSkipsNotReady()
    {
        var service = Builders.LoadBalancer("web", Builders.Port(80, nodePort: 30080, name: "http"), Builders.Port(443, nodePort: 30443, name: "https"));
        service.Metadata.Annotations[FerryAnnotations.Targets] = "endpoints";
        var slices = new[]
        {
            Builders.Slice("http", 9376, "TCP", ("10.1.0.1", true), ("10.1.0.2", null), ("10.1.0.3", false)),
            Builders.Slice("https", 9443, "TCP", ("10.1.0.1", true)),
        };

        var spec = Translate(_translator, service, _vip, [], slices).Spec!;

        Assert.Equal(["10.1.0.1:9376", "10.1.0.2:9376"], spec.Listeners[0].Backends.Select(b => b.ToString()));
        Assert.Equal(["10.1.0.1:9443"], spec.Listeners[1].Backends.Select(b => b.ToString()));
        Assert.Equal(HealthCheckType.Tcp, spec.Listeners[0].HealthCheck!.Type);
    }

    [Fact]
    public void Translate_NoNodePortsAllocated_ImpliesEndpoints()
    {
        var service = Builders.LoadBalancer("web", Builders.Port(80));
        service.Spec.AllocateLoadBalancerNodePorts = false;
        var result = Translate(_translator, service, _vip, [Builders.Node("a", "192.0.2.1")], [Builders.Slice(string.Empty, 8080, "TCP", ("10.1.0.9", true))]);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal("10.1.0.9:8080", result.Spec!.Listeners[0].Backends[0].ToString());
    }

    [Fact]
    public void Translate_AffinitySourceRangesProxyProtocol()
    {
        var service = Builders.LoadBalancer();
        service.Spec.SessionAffinity = "ClientIP";
        service.Spec.SessionAffinityConfig = new k8s.Models.V1SessionAffinityConfig { ClientIP = new k8s.Models.V1ClientIPConfig { TimeoutSeconds = 60 } };
        service.Metadata.Annotations[FerryAnnotations.LegacySourceRanges] = " 192.0.2.7/24 , 2001:db8::/32";
        service.Metadata.Annotations[FerryAnnotations.ProxyProtocol] = "v2";

        var spec = Translate(_translator, service, _vip, [Builders.Node("a", "192.0.2.1")], []).Spec!;

        Assert.Equal(BalancingAlgorithm.ClientIpHash, spec.Settings.Algorithm);
        Assert.Equal(TimeSpan.FromSeconds(60), spec.Settings.SessionAffinity!.Timeout);
        Assert.Equal(["192.0.2.0/24", "2001:db8::/32"], spec.Settings.SourceRanges.Select(r => r.ToString()));
        Assert.Equal(ProxyProtocolVersion.V2, spec.Settings.ProxyProtocol);
    }

    [Fact]
    public void Translate_SpecSourceRangesWinOverAnnotation()
    {
        var service = Builders.LoadBalancer();
        service.Spec.LoadBalancerSourceRanges = ["198.51.100.0/24"];
        service.Metadata.Annotations[FerryAnnotations.LegacySourceRanges] = "192.0.2.0/24";
        Assert.Equal(["198.51.100.0/24"], Translate(_translator, service, _vip, [], []).Spec!.Settings.SourceRanges.Select(r => r.ToString()));
    }

    [Theory]
    [InlineData(FerryAnnotations.ProxyProtocol, "v3", "supported values: \"v1\", \"v2\"")]
    [InlineData(FerryAnnotations.Targets, "pods", "supported values: \"nodes\", \"endpoints\"")]
    [InlineData(FerryAnnotations.Algorithm, "fastest", "supported values: \"roundRobin\"")]
    [InlineData(FerryAnnotations.LegacySourceRanges, "banana", "invalid CIDR \"banana\"")]
    public void Translate_BadAnnotation_IsAnErrorNamingIt(string annotation, string value, string expected)
    {
        var service = Builders.LoadBalancer();
        service.Metadata.Annotations[annotation] = value;
        var result = Translate(_translator, service, _vip, [], []);
        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Contains(annotation, StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_SctpPort_IsSkippedWithWarning()
    {
        var service = Builders.LoadBalancer("web", Builders.Port(80, nodePort: 30080), Builders.Port(9, "SCTP", nodePort: 30009));
        var result = Translate(_translator, service, _vip, [Builders.Node("a", "192.0.2.1")], []);
        Assert.Single(result.Spec!.Listeners);
        Assert.Contains(result.Warnings, w => w.Contains("SCTP", StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_SameInputTwice_EqualSpecs()
    {
        var service = Builders.LoadBalancer();
        var nodes = new[] { Builders.Node("a", "192.0.2.1") };
        Assert.Equal(Translate(_translator, service, _vip, nodes, []).Spec, Translate(_translator, service, _vip, nodes, []).Spec);
    }
}
