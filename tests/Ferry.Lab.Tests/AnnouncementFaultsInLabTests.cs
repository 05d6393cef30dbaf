using System.Diagnostics;
using System.Net;
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
