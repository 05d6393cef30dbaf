using System.Diagnostics;
using System.Net;
using Ferry.Membership;
using k8s;
using static Ferry.Lab.Tests.AnnouncementLab;

namespace Ferry.Lab.Tests;

/// <summary>
/// Issue 8 in the lab, the faults: a node lost (its replica gone and its link down at once), and the API
/// server away for a minute while the client keeps connecting. The replicas move addresses among
/// themselves by heartbeats, without the API, and pick up changes once it is back.
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class AnnouncementFaultsInLabTests
{
    /// <summary>How long the API server stays away: the scenario of the issue.</summary>
    private static readonly TimeSpan _apiOutage = TimeSpan.FromSeconds(60);

    /// <summary>How long ARP is watched with the heartbeats between two nodes dropped: several rounds of one request.</summary>
    private static readonly TimeSpan _droppedWindow = TimeSpan.FromSeconds(6);

    /// <summary>The nftables table (family inet) the heartbeat test adds in a node's namespace.</summary>
    private const string FirewallTable = "ferrytest";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task OwnersNodeLost_AnotherNodeTakesOver_AndAloneAnswersArp()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        await using var cluster = await StartAsync(lab);
        await WaitForMeshAsync(lab, cluster);
        await cluster.CreateServiceAsync("web", 80, BackendPort, lab.Nodes, cancellationToken: ct);
        var vip = await cluster.WaitForIngressAsync("web", ct);
        await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(vip, 80));
        Assert.NotNull(await probe.WaitForSuccessAsync(TimeSpan.FromSeconds(60), ct));
        var owner = await OwnerAsync(lab, vip);

        // The node goes away whole: its process dies and its link goes down together, neither waiting for the other.
        var fault = TimeProvider.System.GetUtcNow();
        var killed = cluster.Replicas[owner.Role].KillAsync(LabSignal.Kill, cancellationToken: ct);
        var cut = lab.SetLinkDownAsync(owner, ct);
        await Task.WhenAll(killed, cut);

        var outage = await probe.WaitForRecoveryAsync(fault, TimeSpan.FromSeconds(30), cancellationToken: ct);
        Assert.True(outage is not null, "connections did not succeed again within 30 s of losing the node:\n" + Describe(probe, fault));
        Report($"node lost (kill -9 and link down): connections succeed again {outage!.Value.TotalMilliseconds:F0} ms after the fault ({Failed(probe, fault)})");
        var second = await OwnerAsync(lab, vip);
        Assert.NotEqual(owner.Role, second.Role);
    }

    /// <summary>
    /// docs/design/0004-membership.md, "Indirect evidence": nftables in the owner's and its runner-up's
    /// namespaces drop the heartbeats between the two (UDP 7947 only, both ways) while both still reach the
    /// third node, the client and each other otherwise. The third's vouches keep one live set: the owner keeps
    /// the address, alone, and says who still hears its runner-up (8615). Then the owner dies and the
    /// runner-up, which has not heard it directly since, takes over.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task HeartbeatsDroppedBetweenTwoNodes_OneOwnerStays()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        Assert.SkipUnless(InstalledTools.OnPath("nft"), "nft (nftables) is not installed; apt-get install nftables");
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        await using var cluster = await StartAsync(lab);
        await WaitForMeshAsync(lab, cluster);
        await cluster.CreateServiceAsync("web", 80, BackendPort, lab.Nodes, cancellationToken: ct);
        var vip = await cluster.WaitForIngressAsync("web", ct);
        await WaitServedAsync(lab, vip);
        var owner = await OwnerAsync(lab, vip);

        // The broken path must be the owner's and its runner-up's (every node is a candidate: an endpoint on each,
        // externalTrafficPolicy Cluster): a runner-up that believed the owner dead would claim the address too.
        // Between the owner and the third node nothing would move, and the test could not fail.
        var rank = RendezvousHashing.Rank(vip.ToString(), lab.Nodes.Select(n => n.Role));
        Assert.True(rank[0] == owner.Role, $"{owner.Role} answers ARP for {vip}, rendezvous hashing over all three names {rank[0]}");
        var runnerUp = lab.Nodes.Single(n => n.Role == rank[1]);
        var third = lab.Nodes.Single(n => n.Role == rank[2]);

        await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(vip, 80));
        Assert.NotNull(await probe.WaitForSuccessAsync(TimeSpan.FromSeconds(30), ct));
        var cut = TimeProvider.System.GetUtcNow();
        await DropHeartbeatsAsync(lab, owner, from: runnerUp);
        await DropHeartbeatsAsync(lab, runnerUp, from: owner);
        try
        {
            // Each round (one broadcast request, about 1 s) must get one answer, from the owner, and only the owner
            // holds the address on ferry0. Without vouches the runner-up claims it about 550 ms after the cut.
            // Every round is kept and judged at the end, so a failure shows the whole window (two answers, a flip-flop).
            var rounds = new List<(bool Alone, string Text)>();
            var window = Stopwatch.StartNew();
            while (window.Elapsed < _droppedWindow)
            {
                var replies = await lab.ArpingAsync(lab.Client, vip, requests: 1, cancellationToken: ct);
                var holders = await HoldersAsync(lab, vip);
                var alone = replies.Count == 1 && owner.Mac.Equals(replies[0].Mac) && holders.Count == 1 && holders[0].Equals(owner);
                rounds.Add((alone, $"+{window.ElapsedMilliseconds} ms: ARP [{string.Join(", ", replies.Select(r => RoleOf(lab, r.Mac)))}], ferry0 [{string.Join(", ", holders.Select(h => h.Role))}]"));
            }

            Assert.True(
                rounds.All(r => r.Alone),
                $"with heartbeats dropped between {owner.Role} (owner) and {runnerUp.Role}, {vip} did not stay with {owner.Role} alone:\n"
                    + string.Join("\n", rounds.Select(r => r.Text)) + "\n" + Describe(probe, cut) + Logs(cluster));

            Assert.True(probe.FailuresSince(cut) == 0, $"connections to {vip} failed after the heartbeats were dropped:\n" + Describe(probe, cut) + Logs(cluster));
            var served = probe.Attempts.Count(a => a.Started >= cut);

            // The rules did drop heartbeats (about 10 a second each way), and each side knows the other only through the third.
            var droppedAtOwner = await DroppedAsync(lab, owner);
            var droppedAtRunnerUp = await DroppedAsync(lab, runnerUp);
            Assert.True(droppedAtOwner > 0 && droppedAtRunnerUp > 0, $"the rules dropped {droppedAtOwner} datagrams at {owner.Role} and {droppedAtRunnerUp} at {runnerUp.Role}");
            foreach (var (node, peer) in new[] { (owner, runnerUp), (runnerUp, owner) })
            {
                var line = $"[8615] Peer {peer.Role} ({peer.IPv4}:7947) is alive, but only {third.Role} hears it";
                Assert.True(await cluster.Replicas[node.Role].WaitForOutputAsync(line, TimeSpan.FromSeconds(5), ct), $"{node.Role} did not log \"{line}\":\n{cluster.Replicas[node.Role].Output}");
            }

            Report($"heartbeats dropped between the owner and its runner-up for {window.Elapsed.TotalSeconds:F0} s: {rounds.Count} ARP rounds, each one answer from the owner; "
                + $"{served} connections, none failed; {droppedAtOwner} + {droppedAtRunnerUp} heartbeats dropped");

            // The owner dies: the runner-up, which has heard it only through the third since the cut, takes over.
            var fault = TimeProvider.System.GetUtcNow();
            await cluster.Replicas[owner.Role].KillAsync(LabSignal.Kill, cancellationToken: ct);
            var outage = await probe.WaitForRecoveryAsync(fault, TimeSpan.FromSeconds(30), cancellationToken: ct);
            Assert.True(outage is not null, "connections did not succeed again within 30 s of kill -9 of the owner:\n" + Describe(probe, fault) + Logs(cluster));
            Report($"heartbeats dropped between the owner and its runner-up, kill -9 of the owner: connections succeed again {outage!.Value.TotalMilliseconds:F0} ms after the fault ({Failed(probe, fault)})");
            var second = await OwnerAsync(lab, vip);
            Assert.Equal(runnerUp.Role, second.Role);
        }
        finally
        {
            await AllowHeartbeatsAsync(lab, owner);
            await AllowHeartbeatsAsync(lab, runnerUp);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task ApiAwayFor60s_ServingAndFailoverGoOn_AndChangesArePickedUpWhenItReturns()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        await using var cluster = await StartAsync(lab);
        await WaitForMeshAsync(lab, cluster);
        await cluster.CreateServiceAsync("web", 80, BackendPort, lab.Nodes, cancellationToken: ct);
        var vip = await cluster.WaitForIngressAsync("web", ct);
        await WaitServedAsync(lab, vip);
        var owner = await OwnerAsync(lab, vip);
        var (other, otherVip, otherOwner) = await ServiceOwnedElsewhereAsync(lab, cluster, owner);

        await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(vip, 80), new ConnectProbeOptions { MaxDuration = TimeSpan.FromMinutes(4), MaxAttempts = 20_000 });
        await using var otherProbe = ConnectProbe.Start(lab.Client, new IPEndPoint(otherVip, 80), new ConnectProbeOptions { MaxDuration = TimeSpan.FromMinutes(4), MaxAttempts = 20_000 });
        Assert.NotNull(await probe.WaitForSuccessAsync(TimeSpan.FromSeconds(30), ct));
        Assert.NotNull(await otherProbe.WaitForSuccessAsync(TimeSpan.FromSeconds(30), ct));

        var before = TimeProvider.System.GetUtcNow();
        await cluster.StopApiAsync(cancellationToken: ct);
        var away = Stopwatch.StartNew();

        // Without the API the membership is the replicas' own: kill -9 the other address's owner, another replica takes it.
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var fault = TimeProvider.System.GetUtcNow();
        await cluster.Replicas[otherOwner.Role].KillAsync(LabSignal.Kill, cancellationToken: ct);
        var takeover = await otherProbe.WaitForRecoveryAsync(fault, TimeSpan.FromSeconds(30), cancellationToken: ct);
        Assert.True(takeover is not null, $"{otherVip} was not served again within 30 s of kill -9 with the API away:\n" + Describe(otherProbe, fault) + Logs(cluster));
        Report($"API away, kill -9 of an owner: connections succeed again {takeover!.Value.TotalMilliseconds:F0} ms after the fault ({Failed(otherProbe, fault)})");
        var successor = await OwnerAsync(lab, otherVip);
        Assert.NotEqual(otherOwner.Role, successor.Role);
        Assert.True(cluster.Api.HasExited, "the API server should still be away");

        // The first address is served throughout: not a single connection fails while the API is away.
        while (away.Elapsed < _apiOutage)
        {
            Assert.True(probe.FailuresSince(before) == 0, $"{vip} (owner {owner.Role}) failed with the API away:\n" + Describe(probe, before) + Logs(cluster));
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }

        var during = probe.Attempts.Count(a => a.Started >= before);
        Assert.True(probe.FailuresSince(before) == 0, $"{vip} failed with the API away:\n" + Describe(probe, before));
        Assert.False(probe.Stopped, "the probe stopped before the outage ended");
        Report($"API away {away.Elapsed.TotalSeconds:F0} s: {during} connections to the served address, none failed");

        await cluster.StartApiAsync(ct);
        var back = Stopwatch.StartNew();

        // A Service created now gets an address and is served; one deleted now stops being announced.
        await cluster.CreateServiceAsync("late", 80, BackendPort, lab.Nodes, cancellationToken: ct);
        var lateVip = await cluster.WaitForIngressAsync("late", ct);
        var assigned = back.Elapsed;
        await WaitServedAsync(lab, lateVip);
        var served = back.Elapsed;
        Report($"API back: a new Service has an address {assigned.TotalMilliseconds:F0} ms after the API started again, is served at {served.TotalMilliseconds:F0} ms");

        await otherProbe.StopAsync();
        var deleting = Stopwatch.StartNew();
        await cluster.Client.CoreV1.DeleteNamespacedServiceAsync(other, "default", cancellationToken: ct);
        Assert.True(await WaitUnansweredAsync(lab, otherVip), $"{otherVip} still answers ARP 60 s after Service {other} was deleted");
        Assert.False((await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(otherVip, 80), cancellationToken: ct)).Succeeded);
        Report($"API back: a deleted Service's address stops being announced {deleting.Elapsed.TotalMilliseconds:F0} ms after the delete");

        // And the first address went on serving across the restart too.
        Assert.True(probe.FailuresSince(before) == 0, $"{vip} failed after the API returned:\n" + Describe(probe, before) + Logs(cluster));
    }

    /// <summary>Creates Services (at most 8) until one's address is owned by another node than <paramref name="owner"/>.</summary>
    private static async Task<(string Name, IPAddress Vip, LabNamespace Owner)> ServiceOwnedElsewhereAsync(NetnsLab lab, LabCluster cluster, LabNamespace owner)
    {
        for (var i = 0; i < 8; i++)
        {
            var name = $"other{i}";
            await cluster.CreateServiceAsync(name, 80, BackendPort, lab.Nodes, cancellationToken: Ct);
            var vip = await cluster.WaitForIngressAsync(name, Ct);
            await WaitServedAsync(lab, vip);
            var candidate = await OwnerAsync(lab, vip);
            if (candidate.Role != owner.Role)
            {
                return (name, vip, candidate);
            }
        }

        throw new InvalidOperationException($"8 Services in a row were owned by {owner.Role}: the addresses do not spread");
    }

    /// <summary>In <paramref name="node"/>'s namespace, drops (and counts) the membership datagrams from <paramref name="from"/>: UDP to port 7947 from its IPv4 address, nothing else.</summary>
    private static async Task DropHeartbeatsAsync(NetnsLab lab, LabNamespace node, LabNamespace from)
    {
        string[][] commands =
        [
            ["nft", "add", "table", "inet", FirewallTable],
            ["nft", "add", "chain", "inet", FirewallTable, "input", "{ type filter hook input priority 0; policy accept; }"],
            ["nft", "add", "rule", "inet", FirewallTable, "input", "ip", "saddr", from.IPv4.ToString(), "udp", "dport", "7947", "counter", "drop"],
        ];
        foreach (var command in commands)
        {
            var result = await lab.ExecAsync(node, TimeSpan.FromSeconds(20), command, Ct);
            Assert.True(result.Succeeded, $"{string.Join(' ', command)} in {node.Role}: {result}");
        }
    }

    /// <summary>The packets counted by the rule of <see cref="DropHeartbeatsAsync"/> in <paramref name="node"/>'s namespace.</summary>
    private static async Task<long> DroppedAsync(NetnsLab lab, LabNamespace node)
    {
        var result = await lab.ExecAsync(node, TimeSpan.FromSeconds(20), ["nft", "list", "chain", "inet", FirewallTable, "input"], Ct);
        const string counter = "counter packets ";
        var at = result.StandardOutput.IndexOf(counter, StringComparison.Ordinal);
        Assert.True(result.Succeeded && at >= 0, $"nft list chain in {node.Role}: {result}");
        var digits = result.StandardOutput[(at + counter.Length)..].TakeWhile(char.IsAsciiDigit).ToArray();
        return long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes the table of <see cref="DropHeartbeatsAsync"/> (the lab deletes the namespace anyway; it runs after a failure too, so its result is not checked).</summary>
    private static async Task AllowHeartbeatsAsync(NetnsLab lab, LabNamespace node) =>
        await lab.ExecAsync(node, TimeSpan.FromSeconds(20), ["nft", "delete", "table", "inet", FirewallTable], CancellationToken.None);

    /// <summary>The lab namespace with <paramref name="mac"/>, by role (the MAC itself when none has it), for failure messages.</summary>
    private static string RoleOf(NetnsLab lab, System.Net.NetworkInformation.PhysicalAddress mac) =>
        lab.Attached.FirstOrDefault(n => n.Mac.Equals(mac))?.Role ?? LinkLayerText.Format(mac);

    /// <summary>How many attempts failed since <paramref name="since"/>, and why: "2 failed: timed out, ConnectionRefused".</summary>
    private static string Failed(ConnectProbe probe, DateTimeOffset since)
    {
        var failed = probe.Attempts.Where(a => a.Started >= since && !a.Succeeded).ToList();
        return $"{failed.Count} failed: {string.Join(", ", failed.Select(a => a.Error).Distinct())}";
    }

    /// <summary>The replicas' last lines, for a failure message.</summary>
    private static string Logs(LabCluster cluster) =>
        string.Concat(cluster.Replicas.Select(r => $"\n--- {r.Key}:\n" + string.Join("\n", r.Value.Lines.TakeLast(80))));

    /// <summary>The attempts that failed since <paramref name="since"/> (at most 20), for a failure message.</summary>
    private static string Describe(ConnectProbe probe, DateTimeOffset since) =>
        string.Join("\n", probe.Attempts.Where(a => a.Started >= since && !a.Succeeded).Take(20));
}
