using System.Net;
using Ferry.Contracts;
using Ferry.Controller.LeaderElection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Hosting.Tests;

/// <summary>
/// The replica's data plane between terms, with a real listener on loopback: kept after a term that
/// ended without a stop, given up only once another holder is seen renewing, taken over by a new term.
/// </summary>
public class ReplicaDataPlaneTests
{
    private static readonly DateTime _t0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStandbyThatNeverLed_HoldsNothing_AndNothingItReadsChangesThat()
    {
        await using var plane = NewPlane();

        plane.Observe(new LeaseObservation("replica-b", _t0));
        plane.Observe(new LeaseObservation("replica-b", _t0.AddSeconds(2)));

        Assert.False(plane.IsRetaining);
        Assert.Empty(plane.Provider.GetStats());
    }

    [Fact]
    public async Task AfterATerm_KeepsServing_UntilAnotherHolderIsSeenRenewing()
    {
        await using var plane = NewPlane();
        await plane.BeginTermAsync();
        var vip = await ServeAsync(plane);

        // Seen while leading: not evidence of anything (this replica's own renewals race with others').
        plane.Observe(new LeaseObservation("replica-b", _t0));
        plane.Observe(new LeaseObservation("replica-b", _t0.AddSeconds(2)));
        plane.EndTerm();
        Assert.True(plane.IsRetaining);

        // A crashed holder's record read again and again, or this replica's own, or a released Lease: keep serving.
        plane.Observe(new LeaseObservation("replica-b", _t0.AddSeconds(2)));
        plane.Observe(new LeaseObservation("replica-b", _t0.AddSeconds(2)));
        plane.Observe(new LeaseObservation("replica-a", _t0.AddSeconds(3)));
        plane.Observe(new LeaseObservation("", _t0.AddSeconds(4)));
        Assert.True(plane.IsRetaining);
        Assert.True(await ElectionCluster.AcceptsAsync(vip));

        plane.Observe(new LeaseObservation("replica-b", _t0.AddSeconds(6)));
        plane.Observe(new LeaseObservation("replica-b", _t0.AddSeconds(8)));

        Assert.False(plane.IsRetaining);
        await WaitUntilAsync(() => plane.Provider.GetStats().Count == 0);

        // The load balancer leaves the table just before its listener closes: wait for the close, bounded.
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (await ElectionCluster.AcceptsAsync(vip) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.False(await ElectionCluster.AcceptsAsync(vip));
    }

    [Fact]
    public async Task ANewTerm_TakesOverWhatIsKept_AndLaterRenewalsByOthersAreIgnored()
    {
        await using var plane = NewPlane();
        await plane.BeginTermAsync();
        var vip = await ServeAsync(plane);
        plane.EndTerm();
        plane.Observe(new LeaseObservation("replica-b", _t0));

        await plane.BeginTermAsync();
        plane.Observe(new LeaseObservation("replica-b", _t0.AddSeconds(2)));
        plane.Observe(new LeaseObservation("replica-b", _t0.AddSeconds(4)));

        Assert.False(plane.IsRetaining);
        Assert.Single(plane.Provider.GetStats());
        Assert.True(await ElectionCluster.AcceptsAsync(vip));
    }

    [Fact]
    public async Task ATermThatProgrammedNothing_KeepsNothing()
    {
        await using var plane = NewPlane();
        await plane.BeginTermAsync();

        plane.EndTerm();

        Assert.False(plane.IsRetaining);
    }

    [Fact]
    public async Task AStopWhileLeading_ClosesTheTermsLoadBalancers_AndLeavesThoseServedAsAnAddresssOwner()
    {
        var owned = new LoadBalancerKey("default", "owned");
        await using var plane = new ReplicaDataPlane(DataPlaneFactory.Create(NullLoggerFactory.Instance, TimeProvider.System), "replica-a", NullLogger<ReplicaDataPlane>.Instance, key => key == owned);
        await plane.BeginTermAsync();
        var termVip = await ServeAsync(plane);
        var ownedVip = await ServeAsync(plane, owned);

        await plane.CloseTermAsync();

        // The owner's load balancer drains on the announcing side's schedule, not the term's.
        Assert.Equal([owned], plane.Provider.GetStats().Select(s => s.Key));
        Assert.True(await ElectionCluster.AcceptsAsync(ownedVip));
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (await ElectionCluster.AcceptsAsync(termVip) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.False(await ElectionCluster.AcceptsAsync(termVip));
    }

    private static ReplicaDataPlane NewPlane() =>
        new(DataPlaneFactory.Create(NullLoggerFactory.Instance, TimeProvider.System), "replica-a", NullLogger<ReplicaDataPlane>.Instance);

    private static async Task<IPEndPoint> ServeAsync(ReplicaDataPlane plane, LoadBalancerKey? key = null)
    {
        var address = GreetingBackend.RandomLoopback();
        var spec = new LoadBalancerSpec
        {
            Key = key ?? new LoadBalancerKey("default", "web"),
            Addresses = [address],
            Listeners = [new ListenerSpec { Protocol = TransportProtocol.Tcp, Port = FreePort(address), Backends = [new BackendSpec(address, 9)] }],
        };
        var status = await plane.Provider.EnsureAsync(spec, Ct);
        Assert.True(status.IsFullyServing);
        return new IPEndPoint(address, spec.Listeners[0].Port);
    }

    private static int FreePort(IPAddress address)
    {
        using var probe = new System.Net.Sockets.TcpListener(address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "never happened");
            await Task.Delay(20, Ct);
        }
    }
}
