using System.Net;
using Ferry.Controller;
using Ferry.Controller.Translation;
using k8s;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// Node set changes (docs/upstream-semantics.md, "Node set"): adds, deletes, the exclusion label and the autoscaler's
/// taint change the backends in place (same IP) with upstream's host-update Events; readiness is ignored.
/// </summary>
public class NodeSetTests
{
    private static readonly TranslationOptions _options = new()
    {
        DefaultTargets = TargetMode.Nodes,
        ClusterPolicyChecksNodePort = true,
        HealthCheckInterval = TimeSpan.FromMilliseconds(200),
        HealthCheckTimeout = TimeSpan.FromMilliseconds(150),
        HealthyThreshold = 1,
        UnhealthyThreshold = 2,
    };

    private static readonly TimeSpan _within = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task NodeChanges_BackendsFollowWithoutNewIp_WithUpdatedAndUnavailableEvents()
    {
        await using var fixture = await ControllerFixture.StartAsync(_options);
        var api = fixture.Api;
        var nodePrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        var nodes = Enumerable.Range(1, 4).Select(i => new FakeKubeProxyNode($"node-{i}", Addresses.In(nodePrefix, i))).ToList();
        try
        {
            await api.CreateNodeAsync("node-1", nodes[0].Address);
            await api.CreateNodeAsync("node-2", nodes[1].Address);
            var service = await api.CreateServiceAsync("web", 80);
            foreach (var node in nodes)
            {
                node.ServeNodePort(service.Spec.Ports[0].NodePort!.Value);
            }

            var ip = await api.WaitForIpAsync("web");
            var vip = new IPEndPoint(IPAddress.Parse(ip), 80);
            await ExpectTargetsAsync(vip, "node-1", "node-2");
            var updatesBefore = await CountAsync(api, "UpdatedLoadBalancer");

            // A node joins.
            await api.CreateNodeAsync("node-3", nodes[2].Address);
            await ExpectTargetsAsync(vip, "node-1", "node-2", "node-3");
            await api.WaitForEventAsync("web", "UpdatedLoadBalancer", e => e == "Normal UpdatedLoadBalancer: Updated load balancer with new hosts");
            Assert.True(await CountAsync(api, "UpdatedLoadBalancer") > updatesBefore);

            // Excluded by label (any value).
            await api.PatchNodeAsync("node-1", ExcludeLabel(""));
            await ExpectTargetsAsync(vip, "node-2", "node-3");

            // Tainted for deletion by the cluster autoscaler.
            await api.PatchNodeAsync("node-2", """{"spec":{"taints":[{"key":"ToBeDeletedByClusterAutoscaler","value":"1700000000","effect":"NoSchedule"}]}}""");
            await ExpectTargetsAsync(vip, "node-3");

            // A NotReady node is still a target: readiness is left to the health check.
            await api.CreateNodeAsync("node-4", nodes[3].Address, ready: false);
            await ExpectTargetsAsync(vip, "node-3", "node-4");

            // A node leaves.
            await api.Client.CoreV1.DeleteNodeAsync("node-3", cancellationToken: TestContext.Current.CancellationToken);
            await ExpectTargetsAsync(vip, "node-4");

            // No eligible node left: upstream's warning, and no traffic (nothing to send it to).
            await api.PatchNodeAsync("node-4", ExcludeLabel("true"));
            await api.WaitForEventAsync("web", "UnAvailableLoadBalancer", e => e == "Warning UnAvailableLoadBalancer: There are no available nodes for LoadBalancer");
            Assert.True(await ClusterApi.EventuallyAsync(async () => (await Traffic.ReadAsync(vip)) is null or "", _within));

            // The label's value "false" includes the node again (Kubernetes ≥ 1.34 semantics).
            await api.PatchNodeAsync("node-4", ExcludeLabel("false"));
            await ExpectTargetsAsync(vip, "node-4");

            // The IP never changed, and the Service was never re-provisioned with another one.
            Assert.Equal(ip, ClusterApi.IngressIp(await api.GetServiceAsync("web")));
            Assert.DoesNotContain(await api.EventsAsync("web"), e => e.Contains("SyncLoadBalancerFailed", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task NoNodes_ServiceGetsIpWithUnavailableWarning_ThenNodeJoinsAndServes()
    {
        await using var fixture = await ControllerFixture.StartAsync(_options);
        var api = fixture.Api;
        var service = await api.CreateServiceAsync("web", 80);
        var ip = await api.WaitForIpAsync("web");
        var events = await api.WaitForEventAsync("web", "EnsuredLoadBalancer");
        Assert.Equal(
            ["Normal EnsuringLoadBalancer: Ensuring load balancer", "Warning UnAvailableLoadBalancer: There are no available nodes for LoadBalancer", "Normal EnsuredLoadBalancer: Ensured load balancer"],
            events.Take(3));

        await using var node = new FakeKubeProxyNode("node-1", Addresses.In(Addresses.RandomPrefix(fixture.PoolPrefix), 1));
        node.ServeNodePort(service.Spec.Ports[0].NodePort!.Value);
        await api.CreateNodeAsync(node.Name, node.Address);
        await ExpectTargetsAsync(new IPEndPoint(IPAddress.Parse(ip), 80), "node-1");
        await api.WaitForEventAsync("web", "UpdatedLoadBalancer");
    }

    private static string ExcludeLabel(string value) =>
        "{\"metadata\":{\"labels\":{\"" + FerryAnnotations.ExcludeFromExternalLoadBalancers + "\":\"" + value + "\"}}}";

    private static async Task ExpectTargetsAsync(IPEndPoint vip, params string[] names)
    {
        var seen = await Traffic.WaitForSetAsync(vip, names, names.Length * 4, _within);
        Assert.Equal(Traffic.Show(names), Traffic.Show(seen));
    }

    private static async Task<int> CountAsync(ClusterApi api, string reason)
    {
        var events = await api.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web", cancellationToken: TestContext.Current.CancellationToken);
        return events.Items.Where(e => e.Reason == reason).Sum(e => e.Count ?? 1);
    }
}
