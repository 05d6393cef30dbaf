using k8s;

namespace Ferry.ApiServer.Tests;

/// <summary><c>Warning</c> headers on writes, as kubectl prints them (<c>Warning: …</c> on stderr).</summary>
public class KubectlWarningTests
{
    [Fact]
    public async Task SpacePaddedSourceRange_IsAccepted_WithUpstreamsWarning()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        const string Manifest = """
            apiVersion: v1
            kind: Service
            metadata:
              name: padded
            spec:
              type: LoadBalancer
              loadBalancerSourceRanges: [" 10.0.0.0/8", "192.168.0.0/16"]
              ports:
              - port: 80
            """;

        var create = await kubectl.RunAsync("create -f -", Manifest);

        Assert.True(create.ExitCode == 0, create.StdErr);
        Assert.Contains("service/padded created", create.StdOut, StringComparison.Ordinal);
        Assert.Contains(
            "Warning: spec.loadBalancerSourceRanges[0]: IP prefix was accepted, but will be invalid in a future Kubernetes release: netip.ParsePrefix(\" 10.0.0.0/8\"): ParseAddr(\" 10.0.0.0\"): unexpected character (at \" 10.0.0.0\")",
            create.StdErr,
            StringComparison.Ordinal);
        Assert.DoesNotContain("[1]", create.StdErr, StringComparison.Ordinal);
        var svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("padded", "default", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([" 10.0.0.0/8", "192.168.0.0/16"], svc.Spec.LoadBalancerSourceRanges);
    }

    [Fact]
    public async Task LoopbackEndpointSlice_IsAccepted_WithAWarningThatAClusterRefusesIt()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        const string Manifest = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: local
              labels:
                kubernetes.io/service-name: web
            addressType: IPv4
            ports:
            - port: 8080
            endpoints:
            - addresses: ["127.0.0.1"]
            """;

        var apply = await kubectl.RunAsync("apply -f -", Manifest);

        Assert.True(apply.ExitCode == 0, apply.StdErr);
        Assert.Contains(
            "Warning: endpoints[0].addresses[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128) (accepted by Ferry's local API server; a real cluster refuses it)",
            apply.StdErr,
            StringComparison.Ordinal);
        var slice = await server.Client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("local", "default", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["127.0.0.1"], slice.Endpoints.Single().Addresses);

        var routable = await kubectl.RunAsync("apply -f -", Manifest.Replace("name: local", "name: routable", StringComparison.Ordinal).Replace("127.0.0.1", "10.0.0.7", StringComparison.Ordinal));
        Assert.True(routable.ExitCode == 0, routable.StdErr);
        Assert.DoesNotContain("Warning", routable.StdErr, StringComparison.Ordinal);
    }
}
