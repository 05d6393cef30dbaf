using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace Ferry.ApiServer.Tests;

/// <summary>k8s.LeaderElection with a LeaseLock against the embedded server (needs Lease CRUD and 409 on stale PUT).</summary>
public class LeaderElectionTests
{
    [Fact]
    public async Task LeaseLock_TwoCandidates_OneLeadsThenTheOtherTakesOver()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestApiServer.StartAsync();
        using var clientB = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Handle.KubeconfigPath));
        LeaderElector Elector(IKubernetes client, string id) => new(new LeaderElectionConfig(new LeaseLock(client, "default", "ferry-leader", id))
        {
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        });

        var a = Elector(server.Client, "a");
        var b = Elector(clientB, "b");
        var aLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.OnStartedLeading += () => aLeads.TrySetResult();
        b.OnStartedLeading += () => bLeads.TrySetResult();

        using var stopA = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopB = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var runA = a.RunUntilLeadershipLostAsync(stopA.Token);
        await aLeads.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        var runB = b.RunUntilLeadershipLostAsync(stopB.Token);
        await Task.Delay(1500, ct);
        Assert.False(bLeads.Task.IsCompleted, "b must not lead while a renews");
        Assert.Equal("a", a.GetLeader());

        await stopA.CancelAsync();
        try
        {
            await runA;
        }
        catch (OperationCanceledException)
        {
        }

        await bLeads.Task.WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.True(b.IsLeader());
        var lease = await server.Client.CoordinationV1.ReadNamespacedLeaseAsync("ferry-leader", "default", cancellationToken: ct);
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.True(lease.Spec.LeaseTransitions >= 1);
        await stopB.CancelAsync();
        try
        {
            await runB;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
