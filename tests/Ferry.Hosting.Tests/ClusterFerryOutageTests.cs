using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ferry.Contracts;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting.Tests;

/// <summary>
/// An API server outage must not become a data-plane outage: the leader that cannot renew keeps serving
/// what it last programmed, and gives its addresses up only once it sees another replica hold and renew
/// the Lease. Embedded API server (stopped and restarted on the same port and data), real traffic from
/// loopback through the VIP to a loopback backend; 2 s lease, 1.5 s renew deadline, 0.3 s retry.
/// </summary>
public class ClusterFerryOutageTests
{
    private static readonly TimeSpan _outage = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApiOutage_LeaderKeepsServing_AndGivesUpOnlyOnceItSeesAnotherReplicaLead()
    {
        await using var backend = new GreetingBackend("pod-1");
        await using var cluster = await ElectionCluster.StartAsync();
        await using var linkA = new ApiLink(cluster.Api.Port);
        var logsA = new CollectedLogs();
        var a = cluster.StartReplica("replica-a", link: linkA, logs: logsA);
        Assert.Same(a, await cluster.WaitForSingleLeaderAsync());
        var b = cluster.StartReplica("replica-b");
        await cluster.CreateBackedServiceAsync("web", 8080, backend.EndPoint);
        var vip = new IPEndPoint(IPAddress.Parse(await cluster.WaitForIngressIpAsync("web")), 8080);
        await WaitForGreetingAsync(vip);

        // The API server goes away for five lease durations. A's term ends (it cannot renew), but its
        // listener and health checks stay; the standby holds nothing throughout.
        await cluster.StopApiAsync();
        var outageEnds = DateTime.UtcNow + _outage;
        while (DateTime.UtcNow < outageEnds)
        {
            Assert.Equal("pod-1", await GreetingBackend.ReadAsync(vip, Ct));
            Assert.Empty(b.Ferry.DataPlane.Provider.GetStats());
            await Task.Delay(200, Ct);
        }

        Assert.False(a.Ferry.IsLeader);
        Assert.Null(a.Ferry.Current);
        Assert.True(a.Ferry.DataPlane.IsRetaining);
        Assert.Equal(0, b.Ferry.Terms);
        Assert.Contains(logsA.Lines, l => l.EventId == 2403 && l.Level == LogLevel.Warning);
        Assert.Contains(logsA.Lines, l => l.EventId == 5200 && l.Level == LogLevel.Warning);
        var failures = logsA.Lines.Where(l => l.EventId == 2409).Select(l => l.Message).ToList();
        Assert.NotEmpty(failures);
        Assert.Equal(failures.Distinct().Count(), failures.Count); // each failure shown once, not every retry period

        // The API server comes back, but A stays cut off from it: B takes the Lease over after a lease
        // duration. A cannot know, so it keeps serving (here, on one host, B's bind waits for A's port).
        linkA.Cut();
        await cluster.RestartApiAsync();
        await WaitUntilAsync(() => b.Ferry.Current is { Controller.IsReady: true }, "B never led");
        Assert.Equal("pod-1", await GreetingBackend.ReadAsync(vip, Ct));
        Assert.True(a.Ferry.DataPlane.IsRetaining, "A gave its addresses up without having seen B");
        Assert.Single(a.Ferry.DataPlane.Provider.GetStats());

        // A reaches the API server again, sees B hold and renew the Lease, and only then gives up; B serves.
        linkA.Restore();
        await WaitUntilAsync(() => a.Ferry.DataPlane.Provider.GetStats().Count == 0, "A never gave its addresses up");
        Assert.False(a.Ferry.DataPlane.IsRetaining);
        Assert.Equal(1, a.Ferry.Terms);
        Assert.Contains(logsA.Lines, l => l.EventId == 5201 && l.Message.Contains("replica-b", StringComparison.Ordinal));
        await WaitUntilAsync(() => b.Ferry.DataPlane.Provider.GetStats(new LoadBalancerKey("default", "web")) is { } stats && stats.Listeners.All(l => l.Sockets.All(s => s.IsServing)), "B never served the VIP");
        await WaitForGreetingAsync(vip);
    }

    [Fact]
    public async Task ApiOutage_LeaderLeadsAgainOverWhatItKeptServing_WithoutReopeningListeners()
    {
        await using var backend = new GreetingBackend("pod-1");
        await using var cluster = await ElectionCluster.StartAsync();
        var logs = new CollectedLogs();
        var a = cluster.StartReplica("replica-a", logs: logs);
        await cluster.WaitForSingleLeaderAsync();
        await cluster.CreateBackedServiceAsync("web", 8080, backend.EndPoint);
        var vip = new IPEndPoint(IPAddress.Parse(await cluster.WaitForIngressIpAsync("web")), 8080);
        await WaitForGreetingAsync(vip);
        var key = new LoadBalancerKey("default", "web");

        var clock = Stopwatch.StartNew();
        await cluster.StopApiAsync();
        await WaitUntilAsync(() => !a.Ferry.IsLeader && a.Ferry.DataPlane.IsRetaining, "the term never ended");
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"term ended {clock.Elapsed.TotalSeconds:F2} s after the API server stopped (retry 0.3 s, renew deadline 1.5 s)"));
        var outageEnds = DateTime.UtcNow + _outage;
        while (DateTime.UtcNow < outageEnds)
        {
            Assert.Equal("pod-1", await GreetingBackend.ReadAsync(vip, Ct));
            await Task.Delay(200, Ct);
        }

        var servedDuringOutage = a.Ferry.DataPlane.Provider.GetStats(key)!.TotalConnections;

        // The API server is back and the Lease still names A: A leads again over the load balancer it
        // kept; the new controller ensures the same spec, which touches no socket.
        await cluster.RestartApiAsync();
        await WaitUntilAsync(() => a.Ferry.Terms == 2 && a.Ferry.Current is { Controller.IsReady: true, Controller.SyncCount: > 0 }, "A never led again and synced");
        Assert.Equal("pod-1", await GreetingBackend.ReadAsync(vip, Ct));
        Assert.False(a.Ferry.DataPlane.IsRetaining);
        Assert.True(a.Ferry.DataPlane.Provider.GetStats(key)!.TotalConnections > servedDuringOutage, "the listener's counters restarted: it was rebuilt");
        Assert.Single(logs.Lines, l => l.EventId == 3000); // listening on the VIP: once
        Assert.DoesNotContain(logs.Lines, l => l.EventId == 3002); // stopped listening: never
        Assert.Contains(logs.Lines, l => l.EventId == 5202);
    }

    [Fact]
    public async Task CleanStop_IsInformationAndClosesListenersBeforeTheLeaseIsReleased()
    {
        await using var cluster = await ElectionCluster.StartAsync();
        var logs = new CollectedLogs();
        var a = cluster.StartReplica("replica-a", logs: logs);
        await cluster.WaitForSingleLeaderAsync();
        await cluster.CreateServiceAsync("web", 8080);
        var vip = new IPEndPoint(IPAddress.Parse(await cluster.WaitForIngressIpAsync("web")), 8080);
        Assert.True(await ElectionCluster.AcceptsAsync(vip));

        await a.StopAsync();

        Assert.False(await ElectionCluster.AcceptsAsync(vip));
        var lines = logs.Lines;
        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Warning && (l.Category.StartsWith("Ferry.Controller.LeaderElection", StringComparison.Ordinal) || l.Category.StartsWith("Ferry.Hosting", StringComparison.Ordinal)));
        var steppedDown = Assert.Single(lines, l => l.EventId == 2410);
        Assert.Equal(LogLevel.Information, steppedDown.Level);
        var released = lines.ToList().FindIndex(l => l.EventId == 2407);
        var stoppedListening = lines.ToList().FindIndex(l => l.EventId == 3002);
        Assert.True(stoppedListening >= 0 && released > stoppedListening, "the listener must close before the Lease is released:\n" + string.Join('\n', lines));
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("ferry-controller", "default", cancellationToken: Ct);
        Assert.Equal(string.Empty, lease.Spec.HolderIdentity);
    }

    private static async Task WaitForGreetingAsync(IPEndPoint vip)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (await GreetingBackend.ReadAsync(vip, Ct) != "pod-1")
        {
            Assert.True(DateTime.UtcNow < deadline, $"no greeting through {vip}");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50, Ct);
        }
    }
}
