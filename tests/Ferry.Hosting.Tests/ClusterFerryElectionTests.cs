using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.Controller.LeaderElection;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Hosting.Tests;

/// <summary>
/// High availability against the real embedded API server: replicas compete for a Lease (2 s lease,
/// 1.5 s renew deadline, 0.3 s retry); only the leader runs the controller and holds listeners.
/// </summary>
public class ClusterFerryElectionTests
{
    [Fact]
    public async Task TwoReplicas_ExactlyOneLeadsAndOnlyItListens()
    {
        await using var cluster = await ElectionCluster.StartAsync();
        var a = cluster.StartReplica("replica-a");
        var b = cluster.StartReplica("replica-b");

        var leader = await cluster.WaitForSingleLeaderAsync();
        await cluster.CreateServiceAsync("web", 8080);
        var vip = new IPEndPoint(IPAddress.Parse(await cluster.WaitForIngressIpAsync("web")), 8080);
        Assert.True(await ElectionCluster.AcceptsAsync(vip), "the leader serves the VIP");

        // A few renewals later the standby still runs nothing.
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        var standby = leader == a ? b : a;
        Assert.Same(leader, await cluster.WaitForSingleLeaderAsync());
        Assert.Null(standby.Ferry.Current);
        Assert.False(standby.Ferry.IsLeader);
        Assert.Equal(0, standby.Ferry.Terms);
        Assert.Equal(1, leader.Ferry.Terms);
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("ferry-controller", "default", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(leader.Identity, lease.Spec.HolderIdentity);
    }

    [Fact]
    public async Task LeaderCrashes_ListenersCloseAndStandbyTakesOverTheSameIp()
    {
        await using var cluster = await ElectionCluster.StartAsync();
        var a = cluster.StartReplica("replica-a", releaseOnStop: false);
        var first = await cluster.WaitForSingleLeaderAsync();
        var b = cluster.StartReplica("replica-b", releaseOnStop: false);
        await cluster.CreateServiceAsync("web", 8080);
        var ip = await cluster.WaitForIngressIpAsync("web");
        var vip = new IPEndPoint(IPAddress.Parse(ip), 8080);
        Assert.True(await ElectionCluster.AcceptsAsync(vip));

        // A crash as the others see it: the lease is neither renewed nor released.
        var clock = Stopwatch.StartNew();
        await first.StopAsync();
        Assert.Null(first.Ferry.Current);
        Assert.False(await ElectionCluster.AcceptsAsync(vip), "the stopped leader's listener must be closed");

        var second = await cluster.WaitForSingleLeaderAsync();
        await WaitUntilAcceptsAsync(vip);
        var takeover = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"takeover after a crash (lease 2 s): {takeover.TotalSeconds:F2} s until the standby served the VIP"));
        Assert.NotSame(first, second);
        Assert.Same(a, first);
        Assert.Same(b, second);
        Assert.True(takeover < TimeSpan.FromSeconds(20), $"takeover took {takeover}");

        // The new leader rebuilt the allocation from the status: same IP.
        Assert.Equal(ip, await cluster.WaitForIngressIpAsync("web"));
        Assert.Equal(ip, second.Ferry.Current!.Allocator.Get(new ServiceKey("default", "web"))?.Addresses.Single().ToString());
    }

    [Fact]
    public async Task LeaderStopsCleanly_ReleasesLeaseAndStandbyTakesOverQuickly()
    {
        await using var cluster = await ElectionCluster.StartAsync();
        var first = cluster.StartReplica("replica-a");
        await cluster.WaitForSingleLeaderAsync();
        cluster.StartReplica("replica-b");
        await cluster.CreateServiceAsync("web", 8080);
        var vip = new IPEndPoint(IPAddress.Parse(await cluster.WaitForIngressIpAsync("web")), 8080);

        var clock = Stopwatch.StartNew();
        await first.StopAsync();
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("ferry-controller", "default", cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual("replica-a", lease.Spec.HolderIdentity);

        var second = await cluster.WaitForSingleLeaderAsync();
        await WaitUntilAcceptsAsync(vip);
        var takeover = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"takeover after a clean stop (lease released): {takeover.TotalSeconds:F2} s"));
        Assert.Equal("replica-b", second.Identity);
        Assert.True(takeover < TimeSpan.FromSeconds(20), $"takeover took {takeover}");
    }

    [Fact]
    public async Task LeaseTakenByAnother_LeaderStepsDownAndGivesUpItsListenersOnceTheOtherRenews()
    {
        await using var cluster = await ElectionCluster.StartAsync();
        var replica = cluster.StartReplica("replica-a");
        await cluster.WaitForSingleLeaderAsync();
        await cluster.CreateServiceAsync("web", 8080);
        var vip = new IPEndPoint(IPAddress.Parse(await cluster.WaitForIngressIpAsync("web")), 8080);
        Assert.True(await ElectionCluster.AcceptsAsync(vip));

        // Someone else holds the lease and keeps renewing it: the replica cannot renew and must step
        // down, and, having seen the other holder renew, give its addresses up.
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (replica.Ferry.Current is not null || replica.Ferry.IsLeader || replica.Ferry.DataPlane.Provider.GetStats().Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the replica never stepped down and gave its listeners up");
            try
            {
                var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("ferry-controller", "default", cancellationToken: ct);
                lease.Spec.HolderIdentity = "intruder";
                lease.Spec.RenewTime = DateTime.UtcNow;
                await cluster.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "ferry-controller", "default", cancellationToken: ct);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }

            await Task.Delay(200, ct);
        }

        Assert.False(await ElectionCluster.AcceptsAsync(vip), "a replica that saw another holder renew the lease must close its listeners");
        Assert.False(replica.Ferry.DataPlane.IsRetaining);
        Assert.Equal(1, replica.Ferry.Terms);
    }

    [Fact]
    public async Task ApiServerUnreachable_KeepsCampaigningAndStopsCleanly()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = $"https://127.0.0.1:{closedPort}", SkipTlsVerify = true });
        var election = new LeaseLeaderElection(
            client,
            new LeaderElectionOptions { Identity = "a", LeaseDuration = TimeSpan.FromSeconds(2), RenewDeadline = TimeSpan.FromSeconds(1.5), RetryPeriod = TimeSpan.FromSeconds(0.3) },
            TimeProvider.System,
            NullLogger<LeaseLeaderElection>.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        var led = false;

        await election.RunAsync(_ => { led = true; return Task.CompletedTask; }, stop.Token).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.False(led);
        Assert.False(election.IsLeader);
    }

    [Fact]
    public async Task WithoutElection_ServesAtOnceAndWritesNoLease()
    {
        await using var cluster = await ElectionCluster.StartAsync();
        var ferry = new ClusterFerry(
            cluster.Client,
            new ClusterFerryOptions
            {
                Pools = [new Ipam.AddressPool("default", [Ipam.AddressRange.Parse(cluster.PoolPrefix + "0/24")])],
                Controller = new Controller.ControllerOptions { Translation = new Controller.Translation.TranslationOptions { DefaultTargets = Controller.Translation.TargetMode.Endpoints } },
            },
            NullLoggerFactory.Instance,
            TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var run = ferry.RunAsync(stop.Token);

        await cluster.CreateServiceAsync("web", 8080);
        var vip = new IPEndPoint(IPAddress.Parse(await cluster.WaitForIngressIpAsync("web")), 8080);
        Assert.True(await ElectionCluster.AcceptsAsync(vip));
        Assert.True(ferry.IsLeader);
        var leases = await cluster.Client.CoordinationV1.ListLeaseForAllNamespacesAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(leases.Items);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Null(ferry.Current);
        Assert.False(await ElectionCluster.AcceptsAsync(vip));
    }

    private static async Task WaitUntilAcceptsAsync(IPEndPoint vip)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (!await ElectionCluster.AcceptsAsync(vip))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{vip} never accepted");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
