using System.Net;
using Ferry.Controller;
using Ferry.Controller.Translation;
using k8s;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// Changes to a live Service (docs/upstream-semantics.md, "Which changes trigger a sync"): requested IP, externalTrafficPolicy,
/// nodePort, sharing hand-over; each takes effect on the data path without deleting the Service.
/// </summary>
public class RuntimeChangeTests
{
    private static readonly TimeSpan _prompt = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task RequestedIpChanged_ServiceMovesAndWaiterGetsTheFreedAddressPromptly()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        await using var backend = new GreetingBackend("web");
        var first = fixture.PoolPrefix + "77";
        var second = fixture.PoolPrefix + "79";
        await api.CreateServiceAsync("web", 80, s => s.Spec.LoadBalancerIP = first);
        await api.CreateEndpointSlicesAsync("web", backend.EndPoint);
        Assert.Equal(first, await api.WaitForIpAsync("web"));
        Assert.Equal("web", await GreetingBackend.ReadUntilAsync(new IPEndPoint(IPAddress.Parse(first), 80), "web"));
        await api.CreateServiceAsync("waiter", 81, s => s.Spec.LoadBalancerIP = first);
        await api.WaitForEventAsync("waiter", "SyncLoadBalancerFailed");

        await api.PatchServiceAsync("web", $$$"""{"spec":{"loadBalancerIP":"{{{second}}}"}}""");
        var moved = await api.WaitForServiceAsync("web", s => ClusterApi.IngressIp(s) == second, _prompt);
        Assert.Single(moved!.Status.LoadBalancer.Ingress);
        Assert.Equal("web", await GreetingBackend.ReadUntilAsync(new IPEndPoint(IPAddress.Parse(second), 80), "web"));
        Assert.True(await Traffic.ReadAsync(new IPEndPoint(IPAddress.Parse(first), 80)) is null or "");

        // The address "web" left is handed to the Service waiting for it, not after its backoff.
        await api.WaitForServiceAsync("waiter", s => ClusterApi.IngressIp(s) == first, _prompt);
    }

    [Fact]
    public async Task AllowSharedIp_HolderOfCollidingPortDeleted_WaiterGetsSharedAddressPromptly()
    {
        await using var fixture = await LocalFerryFixture.StartAsync(poolRange: "7-7");
        var api = new ClusterApi(fixture.Client);
        await api.CreateServiceAsync("a", 53, s => s.Metadata.Annotations[FerryAnnotations.AllowSharedIp] = "k");
        await api.CreateServiceAsync("b", 54, s => s.Metadata.Annotations[FerryAnnotations.AllowSharedIp] = "k");
        Assert.Equal(fixture.PoolPrefix + "7", await api.WaitForIpAsync("a"));
        Assert.Equal(fixture.PoolPrefix + "7", await api.WaitForIpAsync("b"));
        await api.CreateServiceAsync("c", 53, s => s.Metadata.Annotations[FerryAnnotations.AllowSharedIp] = "k");
        await api.WaitForEventAsync("c", "SyncLoadBalancerFailed");

        await fixture.Client.CoreV1.DeleteNamespacedServiceAsync("a", "default", cancellationToken: TestContext.Current.CancellationToken);
        await api.WaitForServiceAsync("c", s => ClusterApi.IngressIp(s) == fixture.PoolPrefix + "7", _prompt);
        Assert.Equal(fixture.PoolPrefix + "7", ClusterApi.IngressIp(await api.GetServiceAsync("b")));
    }

    [Fact]
    public async Task ExternalTrafficPolicyChangedToLocal_HealthCheckSwitchesToHealthCheckNodePort()
    {
        await using var fixture = await ControllerFixture.StartAsync(new TranslationOptions
        {
            DefaultTargets = TargetMode.Nodes,
            ClusterPolicyChecksNodePort = true,
            HealthCheckInterval = TimeSpan.FromMilliseconds(200),
            HealthCheckTimeout = TimeSpan.FromMilliseconds(150),
            HealthyThreshold = 1,
            UnhealthyThreshold = 2,
        });
        var nodePrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        await using var one = new FakeKubeProxyNode("node-1", Addresses.In(nodePrefix, 1));
        await using var two = new FakeKubeProxyNode("node-2", Addresses.In(nodePrefix, 2));
        await fixture.Api.CreateNodeAsync(one.Name, one.Address);
        await fixture.Api.CreateNodeAsync(two.Name, two.Address);
        var service = await fixture.Api.CreateServiceAsync("web", 80);
        one.ServeNodePort(service.Spec.Ports[0].NodePort!.Value);
        two.ServeNodePort(service.Spec.Ports[0].NodePort!.Value);
        var ip = await fixture.Api.WaitForIpAsync("web");
        var vip = new IPEndPoint(IPAddress.Parse(ip), 80);
        Assert.Equal("node-1,node-2", Traffic.Show(await Traffic.WaitForSetAsync(vip, ["node-1", "node-2"], 8, TimeSpan.FromSeconds(5))));

        var local = await fixture.Api.PatchServiceAsync("web", """{"spec":{"externalTrafficPolicy":"Local"}}""");
        var healthPort = local.Spec.HealthCheckNodePort!.Value;
        one.ServeHealthCheckNodePort(healthPort, "default", "web");
        two.LocalEndpoints = 0;
        two.ServeHealthCheckNodePort(healthPort, "default", "web");

        Assert.Equal("node-1", Traffic.Show(await Traffic.WaitForSetAsync(vip, ["node-1"], 6, TimeSpan.FromSeconds(5))));
        Assert.Equal(ip, ClusterApi.IngressIp(await fixture.Api.GetServiceAsync("web")));
    }

    [Fact]
    public async Task NodePortChanged_TrafficGoesToTheNewNodePort()
    {
        await using var fixture = await ControllerFixture.StartAsync(new TranslationOptions { DefaultTargets = TargetMode.Nodes, ClusterPolicyChecksNodePort = true });
        var nodePrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        await using var old = new FakeKubeProxyNode("old-port", Addresses.In(nodePrefix, 1));
        await using var current = new FakeKubeProxyNode("new-port", Addresses.In(nodePrefix, 1));
        await fixture.Api.CreateNodeAsync("node-1", old.Address);
        var service = await fixture.Api.CreateServiceAsync("web", 80);
        var oldPort = service.Spec.Ports[0].NodePort!.Value;
        old.ServeNodePort(oldPort);
        var vip = new IPEndPoint(IPAddress.Parse(await fixture.Api.WaitForIpAsync("web")), 80);
        Assert.Equal("old-port", await GreetingBackend.ReadUntilAsync(vip, "old-port"));

        var newPort = oldPort == 32767 ? 32766 : oldPort + 1;
        current.ServeNodePort(newPort);
        await fixture.Api.PatchServiceAsync("web", $$$"""{"spec":{"ports":[{"name":"main","port":80,"targetPort":9376,"protocol":"TCP","nodePort":{{{newPort}}}}]}}""");
        Assert.Equal("new-port", await GreetingBackend.ReadUntilAsync(vip, "new-port"));
    }
}
