using System.Net;
using Ferry.ApiServer;
using Ferry.Controller;
using Ferry.Hosting;
using Ferry.Ipam;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// <c>ferry up</c> stopped and started again on the same data directory: every Service keeps its IP and
/// serves again, no IP is given twice, and a Service deleted while Ferry was down (held Terminating
/// by the cleanup finalizer) is cleaned up after the restart.
/// </summary>
public class RestartTests
{
    private const int Count = 8;

    [Fact]
    public async Task Restart_ServicesKeepIpsAndServe_DeletedWhileDownIsCleanedUp_NewServiceGetsDistinctIp()
    {
        var prefix = Addresses.RandomPrefix();
        var directory = Directory.CreateTempSubdirectory("ferry-e2e-").FullName;
        var options = new LocalFerryOptions
        {
            DataDirectory = directory,
            ApiListen = new IPEndPoint(IPAddress.Loopback, 0),
            Pools = [new AddressPool("default", [AddressRange.Parse(prefix + "0/24")])],
        };
        var backends = Enumerable.Range(0, Count).Select(i => new GreetingBackend($"b{i}")).ToList();
        try
        {
            var before = new Dictionary<string, string>();
            await using (var ferry = await LocalFerry.StartAsync(options, NullLoggerFactory.Instance, TestContext.Current.CancellationToken))
            {
                var api = new ClusterApi(ferry.Client);
                for (var i = 0; i < Count; i++)
                {
                    await api.CreateServiceAsync($"s{i}", 80);
                    await api.CreateEndpointSlicesAsync($"s{i}", backends[i].EndPoint);
                }

                for (var i = 0; i < Count; i++)
                {
                    before[$"s{i}"] = await api.WaitForIpAsync($"s{i}");
                    Assert.Equal($"b{i}", await GreetingBackend.ReadUntilAsync(Vip(before[$"s{i}"]), $"b{i}"));
                }
            }

            // Ferry is down: nothing listens any more.
            Assert.Null(await Traffic.ReadAsync(Vip(before["s0"])));

            // Meanwhile (API server alone on the same data): one Service is deleted, one is created.
            await using (var server = await ApiServerHost.StartAsync(new ApiServerOptions { DataDirectory = directory, Listen = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance, TestContext.Current.CancellationToken))
            {
                using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
                var api = new ClusterApi(client);
                await client.CoreV1.DeleteNamespacedServiceAsync($"s{Count - 1}", "default", cancellationToken: TestContext.Current.CancellationToken);
                var terminating = await api.GetServiceAsync($"s{Count - 1}");
                Assert.NotNull(terminating?.Metadata.DeletionTimestamp);
                Assert.Contains(FerryAnnotations.CleanupFinalizer, terminating!.Metadata.Finalizers);
                await api.CreateServiceAsync("late", 80);
            }

            await using (var ferry = await LocalFerry.StartAsync(options, NullLoggerFactory.Instance, TestContext.Current.CancellationToken))
            {
                var api = new ClusterApi(ferry.Client);
                var deleted = $"s{Count - 1}";
                await api.WaitForServiceAsync(deleted, s => s is null);
                var late = await api.WaitForIpAsync("late");

                var after = new Dictionary<string, string> { ["late"] = late };
                for (var i = 0; i < Count - 1; i++)
                {
                    var ip = ClusterApi.IngressIp(await api.GetServiceAsync($"s{i}"));
                    Assert.Equal(before[$"s{i}"], ip);
                    after[$"s{i}"] = ip!;
                    Assert.Equal($"b{i}", await GreetingBackend.ReadUntilAsync(Vip(ip!), $"b{i}"));
                }

                // No address twice; the deleted Service's listener is gone unless its address went to "late".
                Assert.Equal(after.Count, after.Values.Distinct().Count());
                if (before[deleted] != late)
                {
                    Assert.Null(await Traffic.ReadAsync(Vip(before[deleted])));
                }

                Assert.Equal(Count, ferry.Host.Allocator.Count);
                Assert.Equal(Count, ferry.Host.DataPlane.GetStats().Count);
                Assert.DoesNotContain(await api.EventsAsync("s0"), e => e.Contains("SyncLoadBalancerFailed", StringComparison.Ordinal));
            }
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static IPEndPoint Vip(string ip) => new(IPAddress.Parse(ip), 80);
}
