using System.Diagnostics;
using System.Net;
using Ferry.Membership;
using k8s;
using static Ferry.Lab.Tests.AnnouncementLab;

namespace Ferry.Lab.Tests;

/// <summary>
/// Issue 8 in the lab, the faults: a node lost (its replica gone and its link down at once), and the API
/// server away for a minute while the client keeps connecting, and a replica rejoining (after a clean stop, and
/// restarted while the API server is away). The replicas move addresses among themselves by heartbeats, without
/// the API, and pick up changes once it is back.
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class AnnouncementFaultsInLabTests
{
    /// <summary>How long the API server stays away: the scenario of the issue.</summary>
    private static readonly TimeSpan _apiOutage = TimeSpan.FromSeconds(60);

    /// <summary>How long ARP is watched with the heartbeats between two nodes dropped: several rounds of one request.</summary>
    private static readonly TimeSpan _droppedWindow = TimeSpan.FromSeconds(6);

    /// <summary>
    /// How long a connection that resolves the address first may take: its ARP request is answered, or the new owner's
    /// gratuitous ARP fills the entry, within it. Connections here take 5-50 ms. A replica's first claims after its start
    /// probe (AnnouncerOptions.ProbeWait, 250 ms) and the old owner may fall silent before the probe is answered: up to
    /// about 400 ms unanswered then. A client whose request goes unanswered for longer waits for its retry after a second.
    /// </summary>
    private static readonly TimeSpan _resolvingAttemptLimit = TimeSpan.FromMilliseconds(700);

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

    /// <summary>
    /// A replica stopped cleanly and started again (a rolling restart): its share stays with the peer that took it
    /// until it says it is ready (heartbeat flag 0x04). The client forgets its neighbour entry before each connection,
    /// so every one starts with a broadcast ARP request. A request nobody answers is sent again only after a second
    /// (the kernel's retransmit time), unless the new owner's gratuitous ARP fills the entry first; each connection
    /// may take <see cref="_resolvingAttemptLimit"/>, so one that meets an unanswered moment longer than that fails.
    /// Counted from the moment the replica's process starts until 3 s after it holds the address alone again (the
    /// old owner's drain included). Before the readiness flag the peers handed the address over as soon as they
    /// heard the replica, and nobody answered for it until it had settled: about a second.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task ReplicaRejoins_ItsShareMovesBack_NoClientWaitsForAnArpRetry()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        await using var cluster = await StartAsync(lab);
        await WaitForMeshAsync(lab, cluster);
        await WaitForReadyAsync(lab, cluster);
        var (owner, vip) = await ServiceHashedToAsync(lab, cluster, "web");

        await cluster.Replicas[owner.Role].KillAsync(LabSignal.Terminate, TimeSpan.FromSeconds(30), ct);
        var interim = await OwnerHoldingAsync(lab, cluster, vip);
        Assert.NotEqual(owner, interim);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var connecting = Task.Run(() => ConnectResolvingEachTimeAsync(lab, vip, stop.Token), ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);

        var restartedAt = TimeProvider.System.GetUtcNow();
        var restarted = cluster.StartReplica(owner, "--peer-listen", $"{owner.IPv4}:7947");
        var (held, alone) = await WatchReturnAsync(lab, vip, owner, TimeSpan.FromSeconds(30));
        if (alone is not null)
        {
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
        }

        await stop.CancelAsync();
        var attempts = await connecting;
        var before = attempts.Where(a => a.Started < restartedAt).ToList();
        var during = attempts.Where(a => a.Started >= restartedAt).ToList();
        var failed = during.Where(a => !a.Succeeded).ToList();
        var slowest = during.MaxBy(a => a.Duration);
        Report($"replica rejoined after SIGTERM: {during.Count} connections (each resolving {vip} by ARP anew) from its start until 3 s after it held the address alone, "
            + $"{failed.Count} failed, the slowest {slowest?.Duration.TotalMilliseconds:F0} ms (started {(slowest?.Started - restartedAt)?.TotalMilliseconds:F0} ms after the start); it held the address {held?.TotalMilliseconds:F0} ms after its start, alone {alone?.TotalMilliseconds:F0} ms after");

        Assert.True(before.Count > 0 && before.All(a => a.Succeeded), $"connections to {vip} (owner {interim.Role}) failed before the restart:\n{string.Join("\n", before)}");
        Assert.True(alone is not null, $"{vip} was not on {owner.Role}'s ferry0 alone within 30 s of its restart (held at {held?.TotalMilliseconds:F0} ms)\n{ReplicaLines(cluster, vip)}\n--- {owner.Role}:\n{restarted.Output}");
        Assert.True(
            failed.Count == 0,
            $"{failed.Count} of {during.Count} connections to {vip} failed from {owner.Role}'s restart on (held at {held?.TotalMilliseconds:F0} ms, alone at {alone?.TotalMilliseconds:F0} ms):\n"
                + string.Join("\n", failed.Take(20).Select(a => $"+{(a.Started - restartedAt).TotalMilliseconds:F0} ms: {a}")) + "\n" + ReplicaLines(cluster, vip));
        Assert.Equal(owner.Role, (await OwnerAsync(lab, vip)).Role);
    }

    /// <summary>
    /// A replica restarted while the API server is away cannot fill its caches: it heartbeats but never says it is
    /// ready, so it owns nothing and its peers keep serving its share (before the readiness flag they handed the
    /// address to it, and nobody answered for it until the API server came back). Once the API server is back the
    /// replica fills its caches, says it is ready, and the address moves back to it.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task ReplicaRestartedWhileTheApiIsAway_OwnsNothing_ItsShareStaysServed()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        await using var cluster = await StartAsync(lab);
        await WaitForMeshAsync(lab, cluster);
        await WaitForReadyAsync(lab, cluster);
        var (owner, vip) = await ServiceHashedToAsync(lab, cluster, "web");
        await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(vip, 80), new ConnectProbeOptions { MaxDuration = TimeSpan.FromMinutes(3), MaxAttempts = 10_000 });
        Assert.NotNull(await probe.WaitForSuccessAsync(TimeSpan.FromSeconds(30), ct));

        await cluster.StopApiAsync(cancellationToken: ct);
        var fault = TimeProvider.System.GetUtcNow();
        await cluster.Replicas[owner.Role].KillAsync(LabSignal.Kill, cancellationToken: ct);
        var takeover = await probe.WaitForRecoveryAsync(fault, TimeSpan.FromSeconds(30), cancellationToken: ct);
        Assert.True(takeover is not null, $"{vip} was not served again within 30 s of kill -9 of {owner.Role} with the API away:\n" + Describe(probe, fault) + Logs(cluster));
        var successor = await OwnerAsync(lab, vip);
        Assert.NotEqual(owner.Role, successor.Role);
        var moved = TimeProvider.System.GetUtcNow();
        Report($"API away, kill -9 of the owner: connections succeed again {takeover!.Value.TotalMilliseconds:F0} ms after the fault ({Failed(probe, fault)}), {successor.Role} answers ARP");

        // Started again with the API away: it removes what it left on ferry0, and its peers hear it alive (it hears
        // their heartbeats, sent to the endpoint they discovered before the outage, and answers them).
        var peers = lab.Nodes.Where(n => n != owner).ToList();
        var aliveLine = $"Peer {owner.Role} ({owner.IPv4}:7947) ";
        static bool Back(string line) => line.Contains(" is alive", StringComparison.Ordinal) || line.Contains(" restarted (incarnation", StringComparison.Ordinal);
        var heardBefore = peers.ToDictionary(p => p.Role, p => cluster.Replicas[p.Role].Lines.Count(l => l.Contains(aliveLine, StringComparison.Ordinal) && Back(l)));
        var restartedAt = TimeProvider.System.GetUtcNow();
        var restarted = cluster.StartReplica(owner, "--peer-listen", $"{owner.IPv4}:7947");
        Assert.True(await restarted.WaitForOutputAsync($"Removed stale address {vip} from ferry0", TimeSpan.FromSeconds(30), ct), $"the restarted replica did not remove {vip}:\n{restarted.Output}");
        foreach (var peer in peers)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (cluster.Replicas[peer.Role].Lines.Count(l => l.Contains(aliveLine, StringComparison.Ordinal) && Back(l)) <= heardBefore[peer.Role])
            {
                Assert.True(DateTime.UtcNow < deadline && !restarted.HasExited, $"{peer.Role} did not hear the restarted {owner.Role} within 30 s:\n--- {owner.Role}:\n{restarted.Output}" + Logs(cluster));
                await Task.Delay(50, ct);
            }
        }

        var heard = TimeProvider.System.GetUtcNow() - restartedAt;

        // For 10 s: one answer to each ARP round, from the successor, which alone holds the address; no connection fails.
        var rounds = new List<(bool Alone, string Text)>();
        var window = Stopwatch.StartNew();
        while (window.Elapsed < TimeSpan.FromSeconds(10))
        {
            var replies = await lab.ArpingAsync(lab.Client, vip, requests: 1, cancellationToken: ct);
            var holders = await HoldersAsync(lab, vip);
            var alone = replies.Count == 1 && successor.Mac.Equals(replies[0].Mac) && holders.Count == 1 && holders[0].Equals(successor);
            rounds.Add((alone, $"+{window.ElapsedMilliseconds} ms: ARP [{string.Join(", ", replies.Select(r => RoleOf(lab, r.Mac)))}], ferry0 [{string.Join(", ", holders.Select(h => h.Role))}]"));
        }

        Assert.True(cluster.Api.HasExited, "the API server should still be away");
        Assert.False(restarted.HasExited, $"the replica restarted with the API away exited:\n{restarted.Output}");
        Assert.True(
            rounds.All(r => r.Alone),
            $"with {owner.Role} restarted and the API away, {vip} did not stay with {successor.Role} alone:\n"
                + string.Join("\n", rounds.Select(r => r.Text)) + "\n" + Describe(probe, moved) + "\n" + ReplicaLines(cluster, vip));
        Assert.True(probe.FailuresSince(moved) == 0, $"connections to {vip} failed with {owner.Role} restarted and the API away:\n" + Describe(probe, moved) + "\n" + ReplicaLines(cluster, vip));
        Report($"API away, {owner.Role} restarted: its peers heard it alive {heard.TotalMilliseconds:F0} ms after its start; for {window.Elapsed.TotalSeconds:F0} s, {rounds.Count} ARP rounds each answered by {successor.Role} alone, "
            + $"{probe.Attempts.Count(a => a.Started >= moved)} connections since the takeover, none failed");

        // The API server returns: the replica fills its caches, says it is ready, and takes its share back.
        var backAt = TimeProvider.System.GetUtcNow();
        await cluster.StartApiAsync(ct);
        var (held, aloneAfter) = await WatchReturnAsync(lab, vip, owner, TimeSpan.FromSeconds(60));
        Assert.True(aloneAfter is not null, $"{vip} was not on {owner.Role}'s ferry0 alone within 60 s of the API's return (held at {held?.TotalMilliseconds:F0} ms)\n{ReplicaLines(cluster, vip)}\n--- {owner.Role}:\n{restarted.Output}");
        Assert.Equal(owner.Role, (await OwnerAsync(lab, vip)).Role);
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var afterBack = probe.Attempts.Where(a => a.Started >= backAt).ToList();
        Report($"API back: {owner.Role} held the address {held?.TotalMilliseconds:F0} ms after the API started again, alone at {aloneAfter?.TotalMilliseconds:F0} ms; "
            + $"{afterBack.Count} connections since, {afterBack.Count(a => !a.Succeeded)} failed"
            + string.Concat(afterBack.Where(a => !a.Succeeded).Select(a => $"\n  +{(a.Started - backAt).TotalMilliseconds:F0} ms: {a}")));
        Assert.True(probe.FailuresSince(moved) == 0, $"connections to {vip} failed after the takeover:\n" + string.Join("\n", probe.Attempts.Where(a => a.Started >= moved && !a.Succeeded).Select(a => $"+{(a.Started - backAt).TotalMilliseconds:F0} ms after the API's return: {a}")) + "\n" + ReplicaLines(cluster, vip));
    }

    /// <summary>
    /// Creates Service <paramref name="name"/> at an address whose owner by rendezvous hashing over all three nodes is a
    /// replica other than the leader (so stopping it moves nothing but the address), and waits until that node
    /// answers ARP for it and alone holds it.
    /// </summary>
    private static async Task<(LabNamespace Owner, IPAddress Vip)> ServiceHashedToAsync(NetnsLab lab, LabCluster cluster, string name)
    {
        var leader = await cluster.LeaderAsync(Ct);
        var owner = lab.Nodes.First(n => n.Role != leader);
        var roles = lab.Nodes.Select(n => n.Role).ToList();
        var wanted = Enumerable.Range(100, 50).Select(i => $"192.0.2.{i}").First(a => RendezvousHashing.Owner(a, roles) == owner.Role);
        await cluster.CreateServiceAsync(name, 80, BackendPort, lab.Nodes, loadBalancerIP: wanted, cancellationToken: Ct);
        var vip = await cluster.WaitForIngressAsync(name, Ct);
        Assert.Equal(IPAddress.Parse(wanted), vip);
        await WaitServedAsync(lab, vip);
        Assert.Equal(owner, await OwnerHoldingAsync(lab, cluster, vip));
        return (owner, vip);
    }

    /// <summary>
    /// Polls ferry0 (every 50 ms, bounded by <paramref name="timeout"/>) until <paramref name="node"/> alone holds
    /// <paramref name="vip"/>: when it first held it and when alone (the previous owner drains first), null if not in time.
    /// </summary>
    private static async Task<(TimeSpan? Held, TimeSpan? Alone)> WatchReturnAsync(NetnsLab lab, IPAddress vip, LabNamespace node, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? held = null;
        while (clock.Elapsed < timeout)
        {
            var holders = await HoldersAsync(lab, vip);
            if (holders.Contains(node))
            {
                held ??= clock.Elapsed;
                if (holders.Count == 1)
                {
                    return (held, clock.Elapsed);
                }
            }

            await Task.Delay(50, Ct);
        }

        return (held, null);
    }

    /// <summary>
    /// Connects to <paramref name="vip"/>:80 from the client about every 50 ms until <paramref name="stop"/> (bounded:
    /// 4,000 attempts, 2 min), deleting the client's neighbour entry for it before each, so that each connection
    /// begins with a broadcast ARP request; each may take <see cref="_resolvingAttemptLimit"/>.
    /// </summary>
    private static async Task<List<ConnectAttempt>> ConnectResolvingEachTimeAsync(NetnsLab lab, IPAddress vip, CancellationToken stop)
    {
        var attempts = new List<ConnectAttempt>();
        var target = new IPEndPoint(vip, 80);
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested && attempts.Count < 4_000 && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await lab.FlushNeighbourAsync(lab.Client, vip, Ct);
            if (attempts.Count == 0)
            {
                // The flush does forget the entry (checked once).
                Assert.Null(await lab.NeighbourAsync(lab.Client, vip, Ct));
            }

            attempts.Add(await ConnectProbe.AttemptAsync(lab.Client, target, new ConnectProbeOptions { AttemptTimeout = _resolvingAttemptLimit }, Ct));
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return attempts;
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
