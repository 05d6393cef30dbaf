using System.Net;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// Upstream's change Events (docs/upstream-semantics.md, "Which changes trigger a sync"): patches to a live
/// Service through the API show up as Normal Events with upstream's reasons and messages, read back through the API.
/// </summary>
public class ChangeEventTests
{
    [Fact]
    public async Task PatchedService_RecordsUpstreamChangeEvents()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        await using var backend = new GreetingBackend("web");
        await api.CreateServiceAsync("web", 80);
        await api.CreateEndpointSlicesAsync("web", backend.EndPoint);
        var ip = await api.WaitForIpAsync("web");
        Assert.Equal("web", await GreetingBackend.ReadUntilAsync(new IPEndPoint(IPAddress.Parse(ip), 80), "web"));

        await api.PatchServiceAsync("web", """{"spec":{"loadBalancerSourceRanges":["127.0.0.0/8","192.0.2.0/24"]}}""");
        await api.WaitForEventAsync("web", "LoadBalancerSourceRanges", e => e == "Normal LoadBalancerSourceRanges: [] -> [127.0.0.0/8 192.0.2.0/24]");

        await api.PatchServiceAsync("web", $$$"""{"spec":{"loadBalancerIP":"{{{ip}}}"}}""");
        await api.WaitForEventAsync("web", "LoadbalancerIP", e => e == $"Normal LoadbalancerIP:  -> {ip}");

        // The API server allocates a healthCheckNodePort in the same write: upstream names only the first change.
        await api.PatchServiceAsync("web", """{"spec":{"externalTrafficPolicy":"Local"}}""");
        await api.WaitForEventAsync("web", "ExternalTrafficPolicy", e => e == "Normal ExternalTrafficPolicy: Cluster -> Local");

        await api.PatchServiceAsync("web", """{"spec":{"type":"ClusterIP","loadBalancerSourceRanges":null,"loadBalancerIP":null,"externalTrafficPolicy":null}}""");
        var events = await api.WaitForEventAsync("web", "Type", e => e == "Normal Type: LoadBalancer -> ClusterIP");

        Assert.DoesNotContain(events, e => e.Contains(" HealthCheckNodePort:", StringComparison.Ordinal));
        Assert.Single(events, e => e.Contains(" LoadBalancerSourceRanges:", StringComparison.Ordinal));
        await api.WaitForEventAsync("web", "DeletedLoadBalancer");
    }
}
