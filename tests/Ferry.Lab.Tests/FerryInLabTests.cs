using System.Net.Sockets;
using k8s;

namespace Ferry.Lab.Tests;

/// <summary>Today's Ferry in the lab: <c>ferry api</c> on the LAN, three <c>ferry run</c> replicas in the nodes, the test process through the relay.</summary>
[Collection(OneLabAtATime.Name)]
public sealed class FerryInLabTests
{
    [Fact]
    public async Task ApiAndThreeReplicas_OneLeads_LoadBalancerServiceGetsAnAddressFromThePool()
    {
        LabRequirement.Lab();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        const string pools = "pools:\n  - name: lab\n    addresses: [192.0.2.100-192.0.2.103]\n";
        await using var cluster = await LabCluster.StartAsync(lab, new LabClusterOptions { PoolsYaml = pools }, ct);

        // Today the operator binds the pool's addresses on the nodes (docs/running-in-a-cluster.md, "What the operator does").
        foreach (var node in lab.Nodes)
        {
            for (var last = 100; last <= 103; last++)
            {
                await lab.AddAddressAsync(node, $"192.0.2.{last}/32", cancellationToken: ct);
            }
        }

        // The Nodes exist, with the lab's addresses, as read back through the relay.
        var nodes = await cluster.Client.CoreV1.ListNodeAsync(cancellationToken: ct);
        Assert.Equal(["node1", "node2", "node3"], nodes.Items.Select(n => n.Metadata.Name).Order());
        Assert.Equal("192.0.2.12", nodes.Items.Single(n => n.Metadata.Name == "node2").Status.Addresses.Single(a => a.Type == "InternalIP").Address);

        foreach (var node in lab.Nodes)
        {
            cluster.StartReplica(node);
        }

        var leader = await cluster.WaitForLeaderAsync(ct);
        Assert.Contains(leader, lab.Nodes.Select(n => n.Role));
        Assert.True(await cluster.Replicas[leader].WaitForOutputAsync($"{leader} is the leader", TimeSpan.FromSeconds(30), ct), cluster.Replicas[leader].Output);
        foreach (var (role, replica) in cluster.Replicas.Where(r => r.Key != leader))
        {
            Assert.True(await replica.WaitForOutputAsync($"The leader is {leader}", TimeSpan.FromSeconds(30), ct), role + ":\n" + replica.Output);
        }

        await cluster.CreateServiceAsync("web", 80, 9376, lab.Nodes, cancellationToken: ct);
        var vip = await cluster.WaitForIngressAsync("web", ct);

        Assert.Equal(AddressFamily.InterNetwork, vip.AddressFamily);
        Assert.StartsWith("192.0.2.", vip.ToString(), StringComparison.Ordinal);
        Assert.InRange(vip.GetAddressBytes()[3], 100, 103);
        Assert.All(cluster.Replicas.Values, replica => Assert.False(replica.HasExited, replica.Output));
    }

    [Fact]
    public async Task ApiStoppedAndStartedAgain_KeepsItsObjectsAndTheRelayReachesItAgain()
    {
        LabRequirement.Lab();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 1 }, ct);
        await using var cluster = await LabCluster.StartAsync(lab, cancellationToken: ct);

        await cluster.StopApiAsync(cancellationToken: ct);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => cluster.Client.CoreV1.ListNodeAsync(cancellationToken: ct));

        await cluster.StartApiAsync(ct);
        var nodes = await cluster.Client.CoreV1.ListNodeAsync(cancellationToken: ct);
        Assert.Equal("node1", Assert.Single(nodes.Items).Metadata.Name);
    }
}
