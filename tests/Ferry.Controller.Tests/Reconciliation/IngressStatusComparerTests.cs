using Ferry.Contracts;
using Ferry.Controller.Predicates;
using Ferry.Controller.Reconciliation;
using Ferry.Controller.Translation;
using Ferry.Ipam;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Controller.Tests.Reconciliation;

/// <summary>Status is written only on a real change, judged against what the API server keeps (ipMode or not).</summary>
public class IngressStatusComparerTests
{
    private static V1LoadBalancerStatus Status(params (string Ip, string? Mode)[] entries) =>
        new() { Ingress = [.. entries.Select(e => new V1LoadBalancerIngress { Ip = e.Ip, IpMode = e.Mode })] };

    private static V1Service Answer(V1LoadBalancerStatus status) => new() { Status = new V1ServiceStatus { LoadBalancer = status } };

    [Fact]
    public void Same_UnknownServer_IpModeCounts()
    {
        var comparer = new IngressStatusComparer();
        Assert.True(comparer.Same(Status(("192.0.2.1", "VIP")), Status(("192.0.2.1", "VIP"))));
        Assert.False(comparer.Same(Status(("192.0.2.1", null)), Status(("192.0.2.1", "VIP"))));
        Assert.False(comparer.Same(Status(("192.0.2.1", "VIP")), Status(("192.0.2.1", "Proxy"))));
        Assert.False(comparer.Same(null, Status(("192.0.2.1", "VIP"))));
    }

    [Fact]
    public void Learn_AnswerWithoutIpMode_ThenMissingIpModeIsTheSame_ButIpsStillCount()
    {
        var comparer = new IngressStatusComparer();
        Assert.True(comparer.Learn(Status(("192.0.2.1", "VIP")), Answer(Status(("192.0.2.1", null)))));
        Assert.True(comparer.ServerDropsIpMode);
        Assert.True(comparer.Same(Status(("192.0.2.1", null)), Status(("192.0.2.1", "Proxy"))));
        Assert.False(comparer.Same(Status(("192.0.2.2", null)), Status(("192.0.2.1", "VIP"))));
        Assert.False(comparer.Same(Status(("192.0.2.1", null)), Status(("192.0.2.1", "VIP"), ("192.0.2.2", "VIP"))));

        // A live ipMode that differs still counts (the server keeps it after all: learnt again from the next answer).
        Assert.False(comparer.Same(Status(("192.0.2.1", "VIP")), Status(("192.0.2.1", "Proxy"))));
        Assert.True(comparer.Learn(Status(("192.0.2.1", "Proxy")), Answer(Status(("192.0.2.1", "Proxy")))));
        Assert.False(comparer.ServerDropsIpMode);
        Assert.False(comparer.Learn(Status(("192.0.2.1", "Proxy")), null));
    }

    [Fact]
    public async Task Reconciler_ServerDroppingIpMode_WritesStatusOnceThenNeverAgain()
    {
        var timeline = new Timeline();
        var cluster = new FakeClusterView();
        var writer = new RecordingServiceWriter(cluster, timeline) { DropsIpMode = true };
        var reconciler = new ServiceReconciler(cluster, writer, new RecordingEventRecorder(timeline), new RecordingProvider(timeline),
            new IpAllocator([new AddressPool("default", [AddressRange.Parse("203.0.113.0/30")])]), new ServiceTranslator(new TranslationOptions()),
            new ServicePredicates(ClassSelection.Unset), NullLogger<ServiceReconciler>.Instance);
        cluster.Nodes.Add(Builders.Node("node-a", "192.0.2.1"));
        var service = Builders.LoadBalancer();
        cluster.Put(service);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await reconciler.SyncAsync(ServiceKey.Parse("default/web"), TestContext.Current.CancellationToken)).Result.Succeeded);
        }

        Assert.Equal(["status 203.0.113.1/VIP"], timeline.Entries.Where(e => e.StartsWith("status", StringComparison.Ordinal)));
        Assert.Null(service.Status.LoadBalancer.Ingress.Single().IpMode);

        // A real change (the address) is still written.
        service.Spec.LoadBalancerIP = "203.0.113.2";
        Assert.True((await reconciler.SyncAsync(ServiceKey.Parse("default/web"), TestContext.Current.CancellationToken)).Result.Succeeded);
        Assert.Equal("status 203.0.113.2/VIP", timeline.Entries.Last(e => e.StartsWith("status", StringComparison.Ordinal)));
    }
}
