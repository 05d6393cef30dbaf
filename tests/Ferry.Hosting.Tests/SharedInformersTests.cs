using Ferry.Controller.Informers;
using Ferry.Ipam;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Hosting.Tests;

/// <summary>
/// A <c>ferry run</c> replica runs the Services, Nodes and EndpointSlices informers for its life, and each
/// leadership term's controller reads them: against the embedded API server, the host does not run given
/// informers, a term that ends stops hearing them, and the next term starts on the warm caches.
/// </summary>
public sealed class SharedInformersTests : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ElectionCluster? _cluster;

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoTermsOnOneSetOfInformers_EachListedOnce_TheSecondTermStartsWarm()
    {
        _cluster = await ElectionCluster.StartAsync();
        var options = new ControllerHostOptions { Pools = [new AddressPool("default", [AddressRange.Parse(_cluster.PoolPrefix + "0/24")])], PoolObjects = false };
        var informers = new ClusterInformers(_cluster.Client, new InformerOptions(), TimeProvider.System, NullLoggerFactory.Instance);
        await CreateServiceAsync("first");

        // Given informers are not the host's to run: nothing is listed until their owner runs them.
        using var replica = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var informersRun = Task.CompletedTask;
        using (var term = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            await using var host = new ControllerHost(_cluster.Client, options, NullLoggerFactory.Instance, TimeProvider.System, informers: informers);
            var running = host.RunAsync(term.Token);
            await Task.Delay(300, Ct);
            Assert.Equal(0, informers.Services.ListCount);
            Assert.False(host.Controller.IsReady);

            informersRun = informers.RunAsync(replica.Token); // the replica's: runs on past the term
            Assert.NotNull(await WaitForIngressAsync("first"));
            await term.CancelAsync();
            await running;
        }

        // Between terms a Service appears: nobody leads, nobody gives it an address, the caches still follow.
        await CreateServiceAsync("second");
        await UntilAsync(() => informers.Services.List().Any(s => s.Metadata.Name == "second"));
        var syncsBefore = informers.Services.ListCount;

        using (var term = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            await using var host = new ControllerHost(_cluster.Client, options, NullLoggerFactory.Instance, TimeProvider.System, informers: informers);
            var running = host.RunAsync(term.Token);
            Assert.NotNull(await WaitForIngressAsync("second"));
            Assert.True(host.Controller.IsReady);
            await term.CancelAsync();
            await running;
        }

        Assert.Equal(1, informers.Services.ListCount);
        Assert.Equal(syncsBefore, informers.Services.ListCount);
        await replica.CancelAsync();
        await informersRun;
    }

    private async Task CreateServiceAsync(string name) =>
        await _cluster!.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80, Protocol = "TCP" }] },
            },
            "default",
            cancellationToken: Ct);

    private async Task<string?> WaitForIngressAsync(string name)
    {
        string? ip = null;
        await UntilAsync(() =>
        {
            var service = _cluster!.Client.CoreV1.ReadNamespacedService(name, "default");
            ip = service.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip;
            return ip is not null;
        });
        return ip;
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + ElectionCluster.Wait);
            await Task.Delay(50, Ct);
        }
    }
}
