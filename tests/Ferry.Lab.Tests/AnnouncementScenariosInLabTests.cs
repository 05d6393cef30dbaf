using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
}
