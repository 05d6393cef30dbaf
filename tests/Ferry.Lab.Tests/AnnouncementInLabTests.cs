using System.Net;
using k8s;
using static Ferry.Lab.Tests.AnnouncementLab;

namespace Ferry.Lab.Tests;

/// <summary>
/// Issue 8 in the lab: pools with <c>announce: l2</c>, three <c>ferry run</c> replicas, the client on the
/// LAN. One replica answers ARP for each address; when it dies another takes the address over.
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class AnnouncementInLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OneOwnerAnswersArp_ServesTheVip_AndAnotherTakesOverAfterKill9AndAfterSigterm()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: Ct);
        await using var cluster = await StartAsync(lab);
        await cluster.CreateServiceAsync("web", 80, 9376, lab.Nodes, cancellationToken: Ct);
        var vip = await cluster.WaitForIngressAsync("web", Ct);
        await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(vip, 80));
        Assert.NotNull(await probe.WaitForSuccessAsync(TimeSpan.FromSeconds(60), Ct));

        // Exactly one node answers ARP for the address: its owner. The client's neighbour entry follows the
        // owner's gratuitous ARPs (Linux ignores those within 1 s of the entry's last update, so it may take a
        // later round). The replicas started together and may still be finding each other, each owning the
        // address in its own view for a moment: the owner is asked again until the entry agrees with it, and
        // the entry must not stay with a replica that gave the address up (the owner announces again when
        // a replica joins, docs/design/0003-l2-announcement.md).
        var owner = await OwnerAsync(lab, vip);
        var entry = await lab.NeighbourAsync(lab.Client, vip, Ct);
        var entryDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!owner.Mac.Equals(entry?.Mac) && DateTime.UtcNow < entryDeadline)
        {
            await Task.Delay(200, Ct);
            owner = await OwnerAsync(lab, vip);
            entry = await lab.NeighbourAsync(lab.Client, vip, Ct);
        }

        Assert.True(owner.Mac.Equals(entry?.Mac), $"the client's entry for {vip} is {entry?.Mac}, its owner {owner.Role} has {owner.Mac}\n{ReplicaLines(cluster, vip)}");
        // Events are written in the background: wait for it, bounded.
        var expected = $"announcing from node \"{owner.Role}\" with protocol \"layer2\"";
        var eventDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web", cancellationToken: Ct);
        while (!events.Items.Any(e => e.Reason == "nodeAssigned" && e.Message == expected) && DateTime.UtcNow < eventDeadline)
        {
            await Task.Delay(200, Ct);
            events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web", cancellationToken: Ct);
        }

        Assert.Contains(events.Items, e => e.Reason == "nodeAssigned" && e.Message == expected);

        // kill -9 of the owning process (its node lives on, so does the address on its ferry0): another node takes over.
        var killed = TimeProvider.System.GetUtcNow();
        await cluster.Replicas[owner.Role].KillAsync(LabSignal.Kill, cancellationToken: Ct);
        var outage = await probe.WaitForRecoveryAsync(killed, TimeSpan.FromSeconds(30), cancellationToken: Ct);
        Assert.NotNull(outage);
        Report($"kill -9: connections succeed again {outage!.Value.TotalMilliseconds:F0} ms after the fault");
        var second = await OwnerAsync(lab, vip);
        Assert.NotEqual(owner.Role, second.Role);

        // A clean stop hands over without an outage: the owner falls silent, says goodbye, and keeps serving
        // while the client's neighbour entry moves to the new owner (docs/design/0003-l2-announcement.md).
        var secondMac = second.Mac;
        var stopped = TimeProvider.System.GetUtcNow();
        var stopping = cluster.Replicas[second.Role].KillAsync(LabSignal.Terminate, TimeSpan.FromSeconds(30), Ct);
        var moved = await WaitForNeighbourMoveAsync(lab, vip, secondMac);
        await stopping;
        var handover = await probe.WaitForRecoveryAsync(stopped, TimeSpan.FromSeconds(30), cancellationToken: Ct);
        Assert.NotNull(handover);
        var failed = probe.FailuresSince(stopped);
        Report($"SIGTERM: {failed} failed connections; the client's neighbour entry moved to the new owner {moved?.TotalMilliseconds:F0} ms after the signal");
        Assert.NotNull(moved);
        var third = await OwnerAsync(lab, vip);
        // The probe makes one connection at a time, and only a connection in flight at the instant the client's
        // neighbour entry switches can break (its next segments reach the new owner, which does not know it).
        Assert.True(failed <= 1, string.Join("\n", probe.Attempts.Where(a => a.Started >= stopped).Select(a => $"+{(a.Started - stopped).TotalMilliseconds:F0} ms: {a}"))
            + "\n--- the stopped replica:\n" + cluster.Replicas[second.Role].Output + "\n--- the new owner:\n" + cluster.Replicas[third.Role].Output);
        Assert.NotEqual(owner.Role, third.Role);
        Assert.NotEqual(second.Role, third.Role);
    }

    /// <summary>Polls (every 20 ms, bounded by 10 s) the client's neighbour entry for <paramref name="vip"/> until it no longer names <paramref name="from"/>; the time that took.</summary>
    private static async Task<TimeSpan?> WaitForNeighbourMoveAsync(NetnsLab lab, IPAddress vip, System.Net.NetworkInformation.PhysicalAddress from)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if ((await lab.NeighbourAsync(lab.Client, vip, Ct))?.Mac is { } mac && !mac.Equals(from))
            {
                return clock.Elapsed;
            }

            await Task.Delay(20, Ct);
        }

        return null;
    }

    [Fact]
    public async Task ThirtyServices_SpreadOverTheThreeNodes()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: Ct);
        await using var cluster = await StartAsync(lab);
        var vips = new List<IPAddress>();
        for (var i = 0; i < 30; i++)
        {
            await cluster.CreateServiceAsync($"web{i}", 80, 9376, lab.Nodes, cancellationToken: Ct);
        }

        for (var i = 0; i < 30; i++)
        {
            vips.Add(await cluster.WaitForIngressAsync($"web{i}", Ct));
        }

        foreach (var vip in vips)
        {
            await WaitServedAsync(lab, vip);
        }

        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var vip in vips)
        {
            var owner = await OwnerAsync(lab, vip);
            owners[owner.Role] = owners.GetValueOrDefault(owner.Role) + 1;
        }

        Assert.Equal(3, owners.Count);
        Assert.All(owners.Values, count => Assert.InRange(count, 1, 20));
    }

    [Fact]
    public async Task AddressUsedByAnotherHost_IsNotClaimed_AndTheEventSaysWhy()
    {
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: Ct);
        // The client already uses the pool's only address.
        await lab.AddAddressAsync(lab.Client, "192.0.2.140/24", "eth0", Ct);
        await using var cluster = await StartAsync(lab, "pools:\n  - name: lab\n    addresses: [192.0.2.140/32]\n    announce: l2\n");
        await cluster.CreateServiceAsync("web", 80, 9376, lab.Nodes, cancellationToken: Ct);
        await cluster.WaitForIngressAsync("web", Ct);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        k8s.Models.Corev1Event? conflict = null;
        while (conflict is null && DateTime.UtcNow < deadline)
        {
            var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web", cancellationToken: Ct);
            conflict = events.Items.FirstOrDefault(e => e.Reason == "AddressConflict");
            await Task.Delay(200, Ct);
        }

        Assert.NotNull(conflict);
        Assert.Equal("Warning", conflict.Type);
        Assert.Contains($"address 192.0.2.140 is already in use on the LAN ({lab.Client.MacText.ToLowerInvariant()} answered", conflict.Message, StringComparison.Ordinal);
        foreach (var node in lab.Nodes)
        {
            var addresses = await lab.AddressesAsync(node, "ferry0", Ct);
            Assert.DoesNotContain(addresses, a => a.Address.Equals(IPAddress.Parse("192.0.2.140")));
        }
    }
}
