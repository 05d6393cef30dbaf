using System.Net;
using Ferry.Controller;
using Ferry.Controller.Translation;
using Ferry.Ipam;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// <c>ferry up</c> defaults to endpoint targets; the <c>ferry.dev/targets</c> annotation switches one
/// Service to node targets (and back) at runtime; other annotation and field edits take effect live.
/// </summary>
public class TargetsAnnotationTests
{
    [Fact]
    public async Task TargetsAnnotation_SwitchesBetweenEndpointsAndNodesLive()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        await using var endpoint = new GreetingBackend("endpoint");
        await using var node = new FakeKubeProxyNode("node-1", Addresses.In(Addresses.RandomPrefix(fixture.PoolPrefix), 1));
        await api.CreateNodeAsync(node.Name, node.Address);
        var service = await api.CreateServiceAsync("web", 80);
        await api.CreateEndpointSlicesAsync("web", endpoint.EndPoint);
        node.ServeNodePort(service.Spec.Ports[0].NodePort!.Value);
        var ip = await api.WaitForIpAsync("web");
        var vip = new IPEndPoint(IPAddress.Parse(ip), 80);
        Assert.Equal("endpoint", await GreetingBackend.ReadUntilAsync(vip, "endpoint"));

        await api.PatchServiceAsync("web", Annotate(FerryAnnotations.Targets, "nodes"));
        Assert.Equal("node-1", await GreetingBackend.ReadUntilAsync(vip, "node-1"));

        await api.PatchServiceAsync("web", Annotate(FerryAnnotations.Targets, "endpoints"));
        Assert.Equal("endpoint", await GreetingBackend.ReadUntilAsync(vip, "endpoint"));

        await api.PatchServiceAsync("web", Annotate(FerryAnnotations.Targets, "pods"));
        var events = await api.WaitForEventAsync("web", "SyncLoadBalancerFailed");
        Assert.Contains(events, e => e.Contains("ferry.dev/targets", StringComparison.Ordinal) && e.Contains("\"pods\"", StringComparison.Ordinal));
        Assert.Equal(ip, ClusterApi.IngressIp(await api.GetServiceAsync("web")));
    }

    [Fact]
    public async Task SourceRangesRemoved_EveryClientServedAgain()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        var allowedPrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        var outside = Addresses.In(Addresses.RandomPrefix(fixture.PoolPrefix, allowedPrefix), 3);
        await using var backend = new GreetingBackend("hello");
        await api.CreateServiceAsync("web", 80, s => s.Spec.LoadBalancerSourceRanges = [allowedPrefix + "0/24"]);
        await api.CreateEndpointSlicesAsync("web", backend.EndPoint);
        var vip = new IPEndPoint(IPAddress.Parse(await api.WaitForIpAsync("web")), 80);
        Assert.True(await ClusterApi.EventuallyAsync(async () => await Traffic.ReadAsync(vip, Addresses.In(allowedPrefix, 3)) == "hello", TimeSpan.FromSeconds(5)));
        Assert.True(await Traffic.ReadAsync(vip, outside) is null or "");

        await api.PatchServiceAsync("web", """{"spec":{"loadBalancerSourceRanges":null}}""");
        Assert.True(await ClusterApi.EventuallyAsync(async () => await Traffic.ReadAsync(vip, outside) == "hello", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AddressPoolAnnotationChanged_ServiceMovesToThatPool()
    {
        var bluePrefix = string.Empty;
        await using var fixture = await ControllerFixture.StartAsync(
            new TranslationOptions { DefaultTargets = TargetMode.Endpoints },
            prefix =>
            {
                bluePrefix = Addresses.RandomPrefix(prefix);
                return [new AddressPool("default", [AddressRange.Parse(prefix + "0/24")]), new AddressPool("blue", [AddressRange.Parse(bluePrefix + "0/24")], AutoAssign: false)];
            });
        var api = fixture.Api;
        await using var backend = new GreetingBackend("web");
        await api.CreateServiceAsync("web", 80);
        await api.CreateEndpointSlicesAsync("web", backend.EndPoint);
        var before = await api.WaitForIpAsync("web");
        Assert.StartsWith(fixture.PoolPrefix, before, StringComparison.Ordinal);

        await api.PatchServiceAsync("web", Annotate(FerryAnnotations.AddressPool, "blue"));
        var after = ClusterApi.IngressIp(await api.WaitForServiceAsync("web", s => ClusterApi.IngressIp(s)?.StartsWith(bluePrefix, StringComparison.Ordinal) == true, TimeSpan.FromSeconds(5)))!;
        Assert.Equal("web", await GreetingBackend.ReadUntilAsync(new IPEndPoint(IPAddress.Parse(after), 80), "web"));
        Assert.True(await Traffic.ReadAsync(new IPEndPoint(IPAddress.Parse(before), 80)) is null or "");
        Assert.Equal(1, fixture.Host.Allocator.Count);
    }

    private static string Annotate(string key, string value) => "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}";
}
