using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ferry.Controller;
using Ferry.Membership;
using k8s;
using static Ferry.Lab.Tests.AnnouncementLab;

namespace Ferry.Lab.Tests;

/// <summary>
/// Issue 8 in the lab, the scenarios around ownership: <c>externalTrafficPolicy: Local</c> following its
/// endpoints, one address shared by a TCP and a UDP Service, IPv6 with unsolicited neighbour
/// advertisements, and a replica restarted after <c>kill -9</c> removing what it left on <c>ferry0</c>.
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class AnnouncementScenariosInLabTests
{
    /// <summary>One IPv6 pool announced on layer 2.</summary>
    private const string IPv6Pools = "pools:\n  - name: lab6\n    addresses: [2001:db8::100-2001:db8::149]\n    announce: l2\n";

    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TrafficPolicyLocal_OnlyANodeWithAReadyEndpointAnnounces_AndNobodyWhenNoneIs()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: Ct);
        await using var cluster = await StartAsync(lab);
        var (node2, node3) = (lab.Nodes[1], lab.Nodes[2]);
        await cluster.CreateServiceAsync("local", 80, BackendPort, [node2], externalTrafficPolicy: "Local", cancellationToken: Ct);
        var vip = await cluster.WaitForIngressAsync("local", Ct);

        // Only node2 has a ready endpoint: only node2 answers ARP, holds the address, and serves it.
        await WaitServedAsync(lab, vip);
        Assert.Equal(node2.Role, (await OwnerAsync(lab, vip)).Role);
        Assert.Equal([node2], await HoldersAsync(lab, vip));
        var attempt = await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(vip, 80), cancellationToken: Ct);
        Assert.True(attempt.Succeeded, attempt.ToString());
        Assert.Equal(node2.Role, attempt.Backend);

        // The endpoint moves to node3: so does the address.
        await cluster.ReplaceEndpointsAsync("local", [node3], cancellationToken: Ct);
        var moved = await WaitForHoldersAsync(lab, vip, [node3], _settle);
        Assert.True(moved is not null, $"{vip} is on the ferry0 of {string.Join(", ", await HoldersAsync(lab, vip))}, not of node3 alone");
        Report($"ETP Local, endpoint moved to node3: the address moved (ferry0) {moved!.Value.TotalMilliseconds:F0} ms after the EndpointSlice update");
        Assert.Equal(node3.Role, (await OwnerAsync(lab, vip)).Role);
        await WaitServedAsync(lab, vip);
        attempt = await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(vip, 80), cancellationToken: Ct);
        Assert.True(attempt.Succeeded, attempt.ToString());
        Assert.Equal(node3.Role, attempt.Backend);

        // No ready endpoint anywhere (node3's is not ready): nobody holds the address, nobody answers ARP.
        await cluster.ReplaceEndpointsAsync("local", [], notReady: [node3], cancellationToken: Ct);
        var released = await WaitForHoldersAsync(lab, vip, [], _settle);
        Assert.True(released is not null, $"{vip} is still on the ferry0 of {string.Join(", ", await HoldersAsync(lab, vip))}");
        Report($"ETP Local, no ready endpoint: the address left ferry0 {released!.Value.TotalMilliseconds:F0} ms after the EndpointSlice update");
        Assert.Empty(await lab.ArpingAsync(lab.Client, vip, requests: 3, cancellationToken: Ct));
        Assert.Empty(await HoldersAsync(lab, vip));
    }

    /// <summary>
    /// <c>externalTrafficPolicy: Local</c> with the traffic to the nodes' NodePorts (<c>ferry.dev/targets: nodes</c>):
    /// of the nodes with a ready endpoint (node2, node3), only those whose kube-proxy health check passes may own the
    /// address. Each node serves a switchable stand-in for that check on its address at <c>healthCheckNodePort</c> and a
    /// greeting backend at the <c>nodePort</c>; the replicas keep the default check timings (a probe every 5 s, passing
    /// at the first 200, failing after 3 failures). The address is picked so that rendezvous hashing prefers node2
    /// over node3: while node2's check fails, node2 must keep off it by its own check, and node3 may take it only
    /// through node2's withdrawal in the heartbeats (the mesh is complete before the Service exists).
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task TrafficPolicyLocal_TargetsNodes_TheNodesHealthCheckDecides()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        await using var cluster = await StartAsync(lab);
        await WaitForMeshAsync(lab, cluster);
        var (node2, node3) = (lab.Nodes[1], lab.Nodes[2]);
        var wanted = Enumerable.Range(100, 50).Select(i => $"192.0.2.{i}").First(a => RendezvousHashing.Owner(a, [node2.Role, node3.Role]) == node2.Role);
        await cluster.CreateServiceAsync(
            "local", 80, BackendPort, [node2, node3], externalTrafficPolicy: "Local",
            annotations: new Dictionary<string, string> { [FerryAnnotations.Targets] = "nodes" }, loadBalancerIP: wanted, cancellationToken: ct);

        // The API server allocated both ports; every node gets its NodePort stand-in and its health check (node1 has
        // no endpoint: 503 throughout, as kube-proxy answers there). node2's check fails, node3's passes.
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync("local", "default", cancellationToken: ct);
        var nodePort = service.Spec.Ports[0].NodePort ?? 0;
        var healthPort = service.Spec.HealthCheckNodePort ?? 0;
        Assert.True(nodePort > 0 && healthPort > 0, $"nodePort {nodePort}, healthCheckNodePort {healthPort}");
        var passing = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var node in lab.Nodes)
        {
            var role = node.Role;
            passing[role] = role == node3.Role;
            lab.Track(NetnsLab.Run(node, () => new TcpTestBackend(new IPEndPoint(node.IPv4, nodePort), greeting: role)));
            lab.Track(NetnsLab.Run(node, () => LoopbackServer.KubeProxyHealthz(() => passing[role] ? 1 : 0, endPoint: new IPEndPoint(node.IPv4, healthPort))));
        }

        var vip = await cluster.WaitForIngressAsync("local", ct);
        Assert.Equal(IPAddress.Parse(wanted), vip);

        // Only node3 answers ARP, holds the address and serves it; node2, preferred by the hash, never held it.
        var (settled, seen) = await WatchHoldersAsync(lab, vip, [node3], _settle);
        Assert.True(
            settled is not null && !seen.Contains(node2),
            $"{vip} with node2's check failing and node3's passing: ferry0 of [{string.Join(", ", seen.Select(n => n.Role))}] held it on the way, "
                + $"now [{string.Join(", ", (await HoldersAsync(lab, vip)).Select(n => n.Role))}]\n{Withdrawals(cluster, vip)}");
        Report($"ETP Local, targets nodes: node3 alone (its health check passing, node2's failing) held the address {settled!.Value.TotalMilliseconds:F0} ms after the Service got it");
        Assert.Equal(node3.Role, (await OwnerAsync(lab, vip)).Role);
        await ServedByAsync(lab, vip, node3);

        // Flipped: node3's check fails, node2's passes. The address moves to node2 alone (node2, preferred by the hash,
        // takes it at its first 200, within one interval; node3 fails its own check after 3 probes).
        passing[node3.Role] = false;
        passing[node2.Role] = true;
        var moved = await WaitForHoldersAsync(lab, vip, [node2], _settle);
        Assert.True(moved is not null, $"{vip} is on the ferry0 of [{string.Join(", ", (await HoldersAsync(lab, vip)).Select(n => n.Role))}], not of node2 alone\n{Withdrawals(cluster, vip)}");
        Report($"ETP Local, targets nodes: node2's check passing, node3's failing: the address moved to node2 (ferry0) {moved!.Value.TotalMilliseconds:F0} ms after the flip");
        Assert.Equal(node2.Role, (await OwnerAsync(lab, vip)).Role);
        await ServedByAsync(lab, vip, node2);

        // Both fail: nobody holds the address, nobody answers ARP.
        passing[node2.Role] = false;
        var released = await WaitForHoldersAsync(lab, vip, [], TimeSpan.FromSeconds(40));
        Assert.True(released is not null, $"{vip} is still on the ferry0 of [{string.Join(", ", (await HoldersAsync(lab, vip)).Select(n => n.Role))}]\n{Withdrawals(cluster, vip)}");
        Report($"ETP Local, targets nodes: both checks failing: the address left ferry0 {released!.Value.TotalMilliseconds:F0} ms after node2's check failed");
        Assert.Empty(await lab.ArpingAsync(lab.Client, vip, requests: 3, cancellationToken: ct));
        Assert.Empty(await HoldersAsync(lab, vip));
    }

    [Fact]
    public async Task AddressPoolObject_AppliedWhileRunning_OneNodeAnnouncesItsAddress_AndServes()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: Ct);
        // The pools file announces nothing; the replicas take part in announcing because they have --peer-listen.
        await using var cluster = await StartAsync(lab, "pools: []\n");
        await cluster.CreateServiceAsync("web", 80, BackendPort, lab.Nodes, cancellationToken: Ct);

        await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(
            new Dictionary<string, object>
            {
                ["apiVersion"] = "ferry.dev/v1alpha1",
                ["kind"] = "AddressPool",
                ["metadata"] = new Dictionary<string, object> { ["name"] = "lan" },
                ["spec"] = new Dictionary<string, object> { ["addresses"] = new[] { "192.0.2.150-192.0.2.159" }, ["announce"] = "l2" },
            },
            "ferry.dev", "v1alpha1", "addresspools", cancellationToken: Ct);

        var vip = await cluster.WaitForIngressAsync("web", Ct);
        Assert.StartsWith("192.0.2.15", vip.ToString(), StringComparison.Ordinal);
        await WaitServedAsync(lab, vip);
        var owner = await OwnerHoldingAsync(lab, cluster, vip);
        Assert.Contains(owner, lab.Nodes);
    }

    [Fact]
    public async Task SharedAddress_TcpAndUdpServices_OneOwner_BothServed()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: Ct);
        foreach (var node in lab.Nodes)
        {
            lab.Track(NetnsLab.Run(node, () => new UdpTestBackend(new IPEndPoint(node.IPv4, BackendPort), node.Role)));
        }

        await using var cluster = await StartAsync(lab);
        const string wanted = "192.0.2.120";
        await cluster.CreateServiceAsync("web", 80, BackendPort, lab.Nodes, annotations: Shared(), loadBalancerIP: wanted, cancellationToken: Ct);
        await cluster.CreateServiceAsync("dns", 53, BackendPort, lab.Nodes, protocol: "UDP", annotations: Shared(), loadBalancerIP: wanted, cancellationToken: Ct);
        var vip = await cluster.WaitForIngressAsync("web", Ct);
        Assert.Equal(IPAddress.Parse(wanted), vip);
        Assert.Equal(vip, await cluster.WaitForIngressAsync("dns", Ct));

        await WaitServedAsync(lab, vip);
        var owner = await OwnerHoldingAsync(lab, cluster, vip);
        var attempt = await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(vip, 80), cancellationToken: Ct);
        Assert.True(attempt.Succeeded, attempt.ToString());
        Assert.Contains(attempt.Backend, lab.Nodes.Select(n => n.Role));

        var answer = await UdpExchange.WaitForAnswerAsync(lab.Client, new IPEndPoint(vip, 53), "query-1", _settle, Ct);
        Assert.NotNull(answer);
        Assert.Contains(answer, lab.Nodes.Select(n => n.Role + ":query-1"));

        static Dictionary<string, string> Shared() => new() { ["ferry.dev/allow-shared-ip"] = "lab-dns" };
    }

    [Fact]
    public async Task IPv6_OneOwnerAnswersSolicitations_AndTheClientsEntryFollowsTheUnsolicitedAdvertisement()
    {
        LabRequirement.Tool(InstalledTools.HasNdisc6, InstalledTools.NoNdisc6);
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: Ct);
        foreach (var node in lab.Nodes)
        {
            lab.Track(NetnsLab.Run(node, () => new TcpTestBackend(new IPEndPoint(node.IPv6, BackendPort), greeting: node.Role)));
        }

        await using var cluster = await StartAsync(lab, IPv6Pools);
        await cluster.CreateServiceAsync("web6", 80, BackendPort, lab.Nodes, family: AddressFamily.InterNetworkV6, cancellationToken: Ct);
        var vip = await cluster.WaitForIngressAsync("web6", Ct);
        Assert.Equal(AddressFamily.InterNetworkV6, vip.AddressFamily);
        await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(vip, 80));
        Assert.NotNull(await probe.WaitForSuccessAsync(TimeSpan.FromSeconds(60), Ct));

        var owner = await OwnerHoldingAsync(lab, cluster, vip);
        Assert.Equal(owner.Mac, (await WaitForNeighbourAsync(lab, vip, owner, TimeSpan.FromSeconds(10)))?.Mac);

        // kill -9 of the owner while the client keeps connecting, measured as the IPv4 case.
        var killed = TimeProvider.System.GetUtcNow();
        await cluster.Replicas[owner.Role].KillAsync(LabSignal.Kill, cancellationToken: Ct);
        var outage = await probe.WaitForRecoveryAsync(killed, TimeSpan.FromSeconds(30), cancellationToken: Ct);
        Assert.NotNull(outage);
        Report($"IPv6 kill -9: connections succeed again {outage!.Value.TotalMilliseconds:F0} ms after the fault");
        var second = await NdiscOwnerAsync(lab, vip);
        Assert.NotEqual(owner.Role, second.Role);
        Assert.Equal(second.Mac, (await WaitForNeighbourAsync(lab, vip, second, TimeSpan.FromSeconds(10)))?.Mac);

        // Again with the client silent: it solicits nothing, so only the new owner's unsolicited
        // advertisement can move its entry (the table is only read here).
        await probe.StopAsync();
        var third = Assert.Single(lab.Nodes, n => n != owner && n != second);
        var clock = Stopwatch.StartNew();
        await cluster.Replicas[second.Role].KillAsync(LabSignal.Kill, cancellationToken: Ct);
        var entry = await WaitForNeighbourAsync(lab, vip, third, TimeSpan.FromSeconds(30));
        Assert.True(third.Mac.Equals(entry?.Mac), $"the client's entry is {entry}, not {third.MacText}");
        Report($"IPv6 kill -9, client silent: its neighbour entry names the new owner {clock.Elapsed.TotalMilliseconds:F0} ms after the fault");
        Assert.Equal(third.Role, (await NdiscOwnerAsync(lab, vip)).Role);
        await WaitServedAsync(lab, vip);
    }

    [Fact]
    public async Task RestartAfterKill9_RemovesTheStaleAddress_EveryAddressOnItsOwnerAlone()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: Ct);
        await using var cluster = await StartAsync(lab);
        var vips = new List<IPAddress>();
        for (var i = 0; i < 6; i++)
        {
            await cluster.CreateServiceAsync($"web{i}", 80, BackendPort, lab.Nodes, cancellationToken: Ct);
        }

        for (var i = 0; i < 6; i++)
        {
            vips.Add(await WaitServedAsync(lab, await cluster.WaitForIngressAsync($"web{i}", Ct)));
        }

        var victim = await OwnerHoldingAsync(lab, cluster, vips[0]);
        var victimVips = new List<IPAddress>();
        foreach (var vip in vips)
        {
            if ((await OwnerHoldingAsync(lab, cluster, vip)).Equals(victim))
            {
                victimVips.Add(vip);
            }
        }

        // kill -9 cleans nothing up: the addresses stay on the victim's ferry0 while another node takes them over.
        await cluster.Replicas[victim.Role].KillAsync(LabSignal.Kill, cancellationToken: Ct);
        var held = await lab.AddressesAsync(victim, "ferry0", Ct);
        Assert.All(victimVips, vip => Assert.Contains(held, a => a.Address.Equals(vip)));
        var successor = await OwnerAsync(lab, vips[0]);
        Assert.NotEqual(victim, successor);
        Assert.NotNull(await WaitForHoldersAsync(lab, vips[0], [victim, successor], _settle));

        // Restarted, the victim's replica removes them at start; afterwards each address is on exactly one
        // ferry0, the node that answers ARP for it (the victim again where it owns the address again).
        var clock = Stopwatch.StartNew();
        var restarted = cluster.StartReplica(victim, "--peer-listen", $"{victim.IPv4}:7947");
        foreach (var vip in victimVips)
        {
            Assert.True(
                await restarted.WaitForOutputAsync($"Removed stale address {vip} from ferry0", _settle, Ct),
                $"the restarted replica did not remove {vip}:\n{restarted.Output}");
        }

        var settled = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var single = false;
        while (!single && DateTime.UtcNow < settled)
        {
            var counts = new List<int>();
            foreach (var vip in vips)
            {
                counts.Add((await HoldersAsync(lab, vip)).Count);
            }

            single = counts.All(c => c == 1);
            if (!single)
            {
                await Task.Delay(100, Ct);
            }
        }

        Report($"restart after kill -9: every address on exactly one ferry0 {clock.Elapsed.TotalMilliseconds:F0} ms after the restart ({victimVips.Count} stale removed)");
        // An address moving back to the restarted replica is held by the old owner too while it drains (2 s),
        // so each one is checked once its ARP owner is the only node holding it (bounded).
        foreach (var vip in vips)
        {
            await OwnerHoldingAsync(lab, cluster, vip);
            await WaitServedAsync(lab, vip);
        }
    }

    /// <summary>Like <see cref="WaitForHoldersAsync"/> (polling ferry0, bounded by <paramref name="timeout"/>), also returning every node seen holding <paramref name="vip"/> on the way.</summary>
    private static async Task<(TimeSpan? Settled, HashSet<LabNamespace> Seen)> WatchHoldersAsync(NetnsLab lab, IPAddress vip, IReadOnlyCollection<LabNamespace> expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var seen = new HashSet<LabNamespace>();
        while (true)
        {
            var holders = await HoldersAsync(lab, vip);
            seen.UnionWith(holders);
            if (holders.Count == expected.Count && holders.All(expected.Contains))
            {
                return (clock.Elapsed, seen);
            }

            if (clock.Elapsed >= timeout)
            {
                return (null, seen);
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>
    /// Waits (bounded, 20 s) until a connection from the client to <paramref name="vip"/>:80 greets with <paramref name="node"/>'s
    /// role (the owner's listener is new: until its first probes answered it may send to any node), then 5 more in a row must too.
    /// </summary>
    private static async Task ServedByAsync(NetnsLab lab, IPAddress vip, LabNamespace node)
    {
        var target = new IPEndPoint(vip, 80);
        var attempts = new List<ConnectAttempt>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (attempts.Count == 0 || attempts[^1].Backend != node.Role)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no connection to {target} greeted with {node.Role} within 20 s:\n{string.Join("\n", attempts.TakeLast(20))}");
            if (attempts.Count > 0)
            {
                await Task.Delay(100, Ct);
            }

            attempts.Add(await ConnectProbe.AttemptAsync(lab.Client, target, cancellationToken: Ct));
        }

        if (attempts.Count > 1)
        {
            Report($"{target}: {attempts.Count - 1} connection(s) before the first greeting from {node.Role}: {string.Join("; ", attempts.SkipLast(1).TakeLast(10))}");
        }

        for (var i = 0; i < 5; i++)
        {
            var attempt = await ConnectProbe.AttemptAsync(lab.Client, target, cancellationToken: Ct);
            Assert.True(attempt.Succeeded && attempt.Backend == node.Role, $"{target} served by {node.Role}, then: {attempt}");
        }
    }

    /// <summary>The replicas' withdrawals (log 2631) and their lines naming <paramref name="vip"/>, for failure messages.</summary>
    private static string Withdrawals(LabCluster cluster, IPAddress vip) =>
        string.Join('\n', cluster.Replicas.SelectMany(r => r.Value.Lines.Where(l => l.Contains("withdraws from", StringComparison.Ordinal)).Select(l => r.Key + ": " + l)))
        + "\n" + ReplicaLines(cluster, vip);
}
