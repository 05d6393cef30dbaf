using System.Diagnostics;
using System.Net;
using Ferry.Controller.Translation;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// Node targets with kube-proxy's health checks (docs/upstream-semantics.md, "kube-proxy health checks"): fake Nodes on distinct
/// loopback addresses, each with a fake kube-proxy; real traffic through the VIP shows which nodes
/// the data plane sends to.
/// </summary>
public class NodeTargetHealthTests
{
    private static readonly TimeSpan _interval = TimeSpan.FromMilliseconds(200);
    private const int UnhealthyThreshold = 2;

    /// <summary>Slack on top of interval × threshold for a loaded machine (probe timeout, scheduling, our polling).</summary>
    private static readonly TimeSpan _slack = TimeSpan.FromSeconds(1.5);

    private static TranslationOptions Options(int kubeProxyHealthzPort = 10256) => new()
    {
        DefaultTargets = TargetMode.Nodes,
        HealthCheckInterval = _interval,
        HealthCheckTimeout = TimeSpan.FromMilliseconds(150),
        HealthyThreshold = 1,
        UnhealthyThreshold = UnhealthyThreshold,
        KubeProxyHealthzPort = kubeProxyHealthzPort,
    };

    [Fact]
    public async Task LocalPolicy_TrafficOnlyToNodesWithLocalEndpoints_MovesAwayOn503_FailsOpenWhenAllFail()
    {
        await using var fixture = await ControllerFixture.StartAsync(Options());
        var nodePrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        var nodes = new List<FakeKubeProxyNode>();
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                nodes.Add(new FakeKubeProxyNode($"node-{i}", Addresses.In(nodePrefix, i)));
                await fixture.Api.CreateNodeAsync($"node-{i}", Addresses.In(nodePrefix, i));
            }

            var service = await fixture.Api.CreateServiceAsync("web", 80, s => s.Spec.ExternalTrafficPolicy = "Local");
            var nodePort = service.Spec.Ports[0].NodePort!.Value;
            var healthPort = service.Spec.HealthCheckNodePort!.Value;
            nodes[2].LocalEndpoints = 0;
            foreach (var node in nodes)
            {
                node.ServeNodePort(nodePort);
                node.ServeHealthCheckNodePort(healthPort, "default", "web");
            }

            var vip = new IPEndPoint(IPAddress.Parse(await fixture.Api.WaitForIpAsync("web")), 80);

            // Only the nodes whose healthCheckNodePort answers 200 get traffic.
            var seen = await Traffic.WaitForSetAsync(vip, ["node-1", "node-2"], 8, TimeSpan.FromSeconds(5));
            Assert.Equal("node-1,node-2", Traffic.Show(seen));
            Assert.Equal("node-1,node-2", Traffic.Show((await Traffic.SampleAsync(vip, 12)).Distinct()));

            // The probes are kube-proxy's: GET /healthz on the healthCheckNodePort of each node.
            Assert.All(nodes, n => Assert.Contains(n.HealthRequests, line => line.StartsWith("GET /healthz HTTP/1.", StringComparison.Ordinal)));

            // node-2 loses its endpoint: traffic leaves it within interval × threshold.
            var clock = Stopwatch.StartNew();
            nodes[1].LocalEndpoints = 0;
            seen = await Traffic.WaitForSetAsync(vip, ["node-1"], 4, TimeSpan.FromSeconds(5));
            var moved = clock.Elapsed;
            Assert.Equal("node-1", Traffic.Show(seen));
            Assert.True(moved < _interval * UnhealthyThreshold + _slack, $"traffic left node-2 after {moved}");

            // node-3 gets an endpoint: it comes back (healthy threshold 1).
            nodes[2].LocalEndpoints = 1;
            seen = await Traffic.WaitForSetAsync(vip, ["node-1", "node-3"], 8, TimeSpan.FromSeconds(5));
            Assert.Equal("node-1,node-3", Traffic.Show(seen));

            // Nobody has endpoints: fail open, traffic to all nodes rather than to none.
            foreach (var node in nodes)
            {
                node.LocalEndpoints = 0;
            }

            seen = await Traffic.WaitForSetAsync(vip, ["node-1", "node-2", "node-3"], 12, TimeSpan.FromSeconds(5));
            Assert.Equal("node-1,node-2,node-3", Traffic.Show(seen));
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
    public async Task ClusterPolicy_ChecksKubeProxyHealthz_NodeFailingHealthzGetsNoTraffic()
    {
        var healthzPort = Random.Shared.Next(20000, 30000);
        await using var fixture = await ControllerFixture.StartAsync(Options(healthzPort));
        var nodePrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        await using var one = new FakeKubeProxyNode("node-1", Addresses.In(nodePrefix, 1));
        await using var two = new FakeKubeProxyNode("node-2", Addresses.In(nodePrefix, 2));
        foreach (var node in new[] { one, two })
        {
            await fixture.Api.CreateNodeAsync(node.Name, node.Address);
        }

        var service = await fixture.Api.CreateServiceAsync("web", 80);
        Assert.Equal("Cluster", service.Spec.ExternalTrafficPolicy);
        Assert.Null(service.Spec.HealthCheckNodePort);
        foreach (var node in new[] { one, two })
        {
            node.ServeNodePort(service.Spec.Ports[0].NodePort!.Value);
            node.ServeProxyHealthz(healthzPort);
        }

        var vip = new IPEndPoint(IPAddress.Parse(await fixture.Api.WaitForIpAsync("web")), 80);
        Assert.Equal("node-1,node-2", Traffic.Show(await Traffic.WaitForSetAsync(vip, ["node-1", "node-2"], 8, TimeSpan.FromSeconds(5))));

        // node-2 is being drained (KEP-3836): its kube-proxy /healthz says 503.
        two.NodeEligible = false;
        Assert.Equal("node-1", Traffic.Show(await Traffic.WaitForSetAsync(vip, ["node-1"], 4, TimeSpan.FromSeconds(5))));
        Assert.Contains(two.HealthRequests, line => line.StartsWith("GET /healthz HTTP/1.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClusterPolicyChecksNodePort_NodeWhoseNodePortRefusesGetsNoTraffic()
    {
        await using var fixture = await ControllerFixture.StartAsync(Options() with { ClusterPolicyChecksNodePort = true });
        var nodePrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        await using var one = new FakeKubeProxyNode("node-1", Addresses.In(nodePrefix, 1));
        await using var two = new FakeKubeProxyNode("node-2", Addresses.In(nodePrefix, 2));
        await fixture.Api.CreateNodeAsync(one.Name, one.Address);
        await fixture.Api.CreateNodeAsync(two.Name, two.Address);
        var service = await fixture.Api.CreateServiceAsync("web", 80);

        // Only node-1's NodePort answers; node-2 refuses connections.
        one.ServeNodePort(service.Spec.Ports[0].NodePort!.Value);
        var vip = new IPEndPoint(IPAddress.Parse(await fixture.Api.WaitForIpAsync("web")), 80);
        var answers = new List<string?>();
        Assert.True(
            await ClusterApi.EventuallyAsync(
                async () =>
                {
                    answers = await Traffic.SampleAsync(vip, 6);
                    return answers.All(a => a == "node-1");
                },
                TimeSpan.FromSeconds(5)),
            Traffic.Show(answers));
    }

}
