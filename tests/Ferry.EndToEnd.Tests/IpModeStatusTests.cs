using System.Net;
using Ferry.Controller.Translation;
using k8s;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// The controller against API servers with and without <c>status.loadBalancer.ingress[].ipMode</c>
/// (docs/upstream-semantics.md, "One sync"): once a Service is ensured, further syncs (spec changes, endpoint and node
/// changes) write no status, even where the server drops the <c>ipMode</c> the controller wants; the address stays right.
/// </summary>
public class IpModeStatusTests
{
    [Theory]
    [InlineData("1.28", null)]
    [InlineData("1.29", null)]
    [InlineData(null, "VIP")]
    public async Task EnsuredService_FurtherSyncs_NoStatusWrites(string? emulatedVersion, string? expectedIpMode)
    {
        await using var fixture = await ControllerFixture.StartAsync(new TranslationOptions { DefaultTargets = TargetMode.Endpoints }, emulatedVersion: emulatedVersion);
        var api = fixture.Api;
        await using var one = new GreetingBackend("one");
        await using var two = new GreetingBackend("two");
        await api.CreateServiceAsync("web", 80);
        await api.CreateEndpointSlicesAsync("web", one.EndPoint);
        var ip = await api.WaitForIpAsync("web");
        var vip = new IPEndPoint(IPAddress.Parse(ip), 80);
        Assert.Equal("one", await GreetingBackend.ReadUntilAsync(vip, "one"));

        var ensured = await api.GetServiceAsync("web");
        Assert.Equal(expectedIpMode, ensured!.Status.LoadBalancer.Ingress.Single().IpMode);
        var writes = fixture.StatusPatches.Count;
        Assert.Equal(3, writes); // the finalizer, the AddressAssigned condition, then status.loadBalancer

        // Full syncs (an annotation change is one, as upstream) and backend syncs (endpoints, nodes).
        for (var i = 0; i < 3; i++)
        {
            var syncs = fixture.Host.Controller.SyncCount;
            await api.PatchServiceAsync("web", $$$$"""{"metadata":{"annotations":{"example.com/touch":"{{{{i}}}}"}}}""");
            Assert.True(await ClusterApi.EventuallyAsync(() => Task.FromResult(fixture.Host.Controller.SyncCount > syncs), ClusterApi.Wait), "no sync after the annotation change");
        }

        await api.Client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync("web-1", "default", cancellationToken: TestContext.Current.CancellationToken);
        await api.CreateEndpointSlicesAsync("web", two.EndPoint);
        Assert.Equal("two", await GreetingBackend.ReadUntilAsync(vip, "two"));
        await api.CreateNodeAsync("node-1", IPAddress.Parse("127.0.0.1"));

        var syncsBefore = fixture.Host.Controller.SyncCount;
        await api.PatchServiceAsync("web", """{"metadata":{"annotations":{"example.com/touch":"last"}}}""");
        Assert.True(await ClusterApi.EventuallyAsync(() => Task.FromResult(fixture.Host.Controller.SyncCount > syncsBefore), ClusterApi.Wait), "no sync after the last change");

        Assert.Equal(writes, fixture.StatusPatches.Count);
        var after = await api.GetServiceAsync("web");
        Assert.Equal(ip, ClusterApi.IngressIp(after));
        Assert.Equal(expectedIpMode, after!.Status.LoadBalancer.Ingress.Single().IpMode);
        Assert.DoesNotContain(await api.EventsAsync("web"), e => e.Contains("SyncLoadBalancerFailed", StringComparison.Ordinal));
    }
}
