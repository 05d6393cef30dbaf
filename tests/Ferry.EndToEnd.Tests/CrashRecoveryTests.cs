using System.Net;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// A real <c>ferry up</c> child process killed with SIGKILL in the middle of a burst of creates and
/// deletes, then started again on the same data directory: no Service is stuck, none loses or shares
/// its IP, and traffic flows.
/// </summary>
public sealed partial class CrashRecoveryTests : IDisposable
{
    private const int Services = 200;
    private const int KillAfterOperations = 120;
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-e2e-crash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [GeneratedRegex("export KUBECONFIG=(?<kubeconfig>\\S+)")]
    private static partial Regex KubeconfigLine();

    [Fact]
    public async Task SigkillDuringCreatesAndDeletes_RestartConvergesWithoutLostOrDuplicateIps()
    {
        var prefix = Addresses.RandomPrefix();
        string[] args = ["up", "--data-dir", Path.Combine(_directory, "data"), "--api-listen", "127.0.0.1:0", "--pool", prefix + "0/24"];

        // The plan: create s0..s199; after every third create, delete the Service created two steps before.
        var operations = new List<(bool Create, string Name)>();
        for (var i = 0; i < Services; i++)
        {
            operations.Add((true, $"s{i}"));
            if (i % 3 == 2)
            {
                operations.Add((false, $"s{i - 2}"));
            }
        }

        var beforeKill = new Dictionary<string, string>();
        await using (var ferry = FerryProcess.Start(args))
        {
            using var client = await ConnectAsync(ferry);
            var api = new ClusterApi(client);
            foreach (var (create, name) in operations.Take(KillAfterOperations))
            {
                await ApplyAsync(api, create, name);
            }

            // Whatever already shows an IP must keep it; then kill -9 while the controller is busy.
            foreach (var service in (await client.CoreV1.ListNamespacedServiceAsync("default", cancellationToken: TestContext.Current.CancellationToken)).Items)
            {
                if (ClusterApi.IngressIp(service) is { } ip && service.Metadata.DeletionTimestamp is null)
                {
                    beforeKill[service.Metadata.Name] = ip;
                }
            }

            await ferry.SignalAsync("KILL");
            Assert.NotEqual(0, await ferry.WaitForExitAsync(_wait));
        }

        await using (var ferry = FerryProcess.Start(args))
        {
            using var client = await ConnectAsync(ferry);
            var api = new ClusterApi(client);
            foreach (var (create, name) in operations.Skip(KillAfterOperations))
            {
                await ApplyAsync(api, create, name);
            }

            var deleted = operations.Where(o => !o.Create).Select(o => o.Name).ToHashSet();
            var expected = Enumerable.Range(0, Services).Select(i => $"s{i}").Where(n => !deleted.Contains(n)).ToHashSet();
            List<V1Service> items = [];
            var converged = await ClusterApi.EventuallyAsync(
                async () =>
                {
                    items = (await client.CoreV1.ListNamespacedServiceAsync("default", cancellationToken: TestContext.Current.CancellationToken)).Items
                        .Where(s => s.Spec.Type == "LoadBalancer").ToList();
                    return items.Select(s => s.Metadata.Name).ToHashSet().SetEquals(expected) && items.All(s => ClusterApi.IngressIp(s) is not null);
                },
                _wait);
            var pending = items.Where(s => ClusterApi.IngressIp(s) is null || s.Metadata.DeletionTimestamp is not null).Select(s => s.Metadata.Name);
            Assert.True(converged, $"not converged: {items.Count} LoadBalancer Services, expected {expected.Count}; without IP or terminating: {string.Join(",", pending)}; output:\n{Tail(ferry.Output)}");

            // No IP twice, every IP from the pool, and nobody who had an IP before the crash lost it.
            var ips = items.ToDictionary(s => s.Metadata.Name, s => ClusterApi.IngressIp(s)!);
            Assert.Equal(ips.Count, ips.Values.Distinct().Count());
            Assert.All(ips.Values, ip => Assert.StartsWith(prefix, ip, StringComparison.Ordinal));
            foreach (var (name, ip) in beforeKill.Where(p => expected.Contains(p.Key)))
            {
                Assert.Equal(ip, ips[name]);
            }

            // Traffic flows through the restarted process, to Services created before and after the crash.
            await using var backend = new GreetingBackend("alive");
            foreach (var name in new[] { expected.First(), expected.Last() })
            {
                await api.CreateEndpointSlicesAsync(name, backend.EndPoint);
                Assert.Equal("alive", await GreetingBackend.ReadUntilAsync(new IPEndPoint(IPAddress.Parse(ips[name]), 80), "alive"));
            }
        }
    }

    private static async Task ApplyAsync(ClusterApi api, bool create, string name)
    {
        if (create)
        {
            await api.CreateServiceAsync(name, 80);
        }
        else
        {
            await api.Client.CoreV1.DeleteNamespacedServiceAsync(name, "default", cancellationToken: TestContext.Current.CancellationToken);
        }
    }

    private static async Task<Kubernetes> ConnectAsync(FerryProcess ferry)
    {
        Assert.True(await ferry.WaitForOutputAsync("export KUBECONFIG=", _wait), ferry.Output);
        var kubeconfig = KubeconfigLine().Match(ferry.Output).Groups["kubeconfig"].Value;
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    private static string Tail(string output) => output.Length > 4000 ? output[^4000..] : output;
}
