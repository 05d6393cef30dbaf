using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ferry.Hosting;
using Ferry.Ipam;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// AddressPool objects (ferry.dev/v1alpha1) on <c>ferry up</c>: installed at start, used at once, with a status
/// and printer columns; an overlapping pool is refused (and serves once the pool it overlapped is deleted); a
/// deleted pool takes no address from a live Service and goes when the last one lets go.
/// </summary>
public class AddressPoolObjectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PoolObject_GivesAWaitingServiceItsAddress_ReportsItsUse_AndGoesOnlyWhenTheLastServiceLetsGo()
    {
        var prefix = Addresses.RandomPrefix();
        var directory = Directory.CreateTempSubdirectory("ferry-e2e-").FullName;
        try
        {
            await using var ferry = await LocalFerry.StartAsync(
                new LocalFerryOptions
                {
                    DataDirectory = directory,
                    ApiListen = new IPEndPoint(IPAddress.Loopback, 0),
                    Pools = [new AddressPool("default", [AddressRange.Parse($"{prefix}10-{prefix}10")])],
                },
                NullLoggerFactory.Instance,
                Ct);
            var api = new ClusterApi(ferry.Client);
            await api.CreateServiceAsync("first", 80);
            Assert.Equal(prefix + "10", await api.WaitForIpAsync("first"));
            await api.CreateServiceAsync("second", 80);
            await api.WaitForEventAsync("second", "SyncLoadBalancerFailed");

            // A pool appears: the waiting Service gets its address without a restart.
            await CreatePoolAsync(ferry.Client, "extra", $"{prefix}20-{prefix}21");
            Assert.Equal(prefix + "20", await api.WaitForIpAsync("second"));
            var status = await WaitForStatusAsync(ferry.Client, "extra", s => s.TryGetProperty("allocated", out var a) && a.GetInt32() == 1);
            Assert.Equal("2", status.GetProperty("capacity").GetString());
            Assert.Equal("1", status.GetProperty("free").GetString());
            Assert.Equal("True", Condition(status, "Ready").GetProperty("status").GetString());
            if (InstalledTools.HasKubectl)
            {
                var table = await KubectlAsync(ferry.KubeconfigPath, "get", "addresspools");
                Assert.Matches(@"(?m)^NAME\s+ADDRESSES\s+ALLOCATED\s+FREE\s+READY\s+AGE$", table);
                Assert.Matches($@"(?m)^extra\s+\[""{prefix.Replace(".", "\\.", StringComparison.Ordinal)}20-{prefix.Replace(".", "\\.", StringComparison.Ordinal)}21""\]\s+1\s+1\s+True\s+\d+s$", table);
            }

            // A pool overlapping one in use is refused, and says why.
            await CreatePoolAsync(ferry.Client, "clash", $"{prefix}21/32");
            var clash = await WaitForStatusAsync(ferry.Client, "clash", s => s.TryGetProperty("conditions", out _));
            var ready = Condition(clash, "Ready");
            Assert.Equal("False", ready.GetProperty("status").GetString());
            Assert.Equal("Overlap", ready.GetProperty("reason").GetString());

            // Deleted while "second" holds an address from it: the pool stays, says who holds what, and serves nobody new.
            await ferry.Client.CustomObjects.DeleteClusterCustomObjectAsync("ferry.dev", "v1alpha1", "addresspools", "extra", cancellationToken: Ct);
            var inUse = await WaitForStatusAsync(ferry.Client, "extra", s => Condition(s, "Ready").GetProperty("reason").GetString() == "InUse");
            Assert.Contains("default/second", Condition(inUse, "Ready").GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(prefix + "20", ClusterApi.IngressIp(await api.GetServiceAsync("second")));
            // A deleting pool claims no range: "clash" serves now, so a new Service gets its address, none of "extra"'s.
            await WaitForStatusAsync(ferry.Client, "clash", s => Condition(s, "Ready").GetProperty("status").GetString() == "True");
            await api.CreateServiceAsync("third", 80);
            Assert.Equal(prefix + "21", await api.WaitForIpAsync("third"));

            // The last Service lets go: the pool goes.
            await ferry.Client.CoreV1.DeleteNamespacedServiceAsync("second", "default", cancellationToken: Ct);
            Assert.True(await ClusterApi.EventuallyAsync(async () =>
            {
                try
                {
                    await ferry.Client.CustomObjects.GetClusterCustomObjectAsync("ferry.dev", "v1alpha1", "addresspools", "extra", cancellationToken: Ct);
                    return false;
                }
                catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    return true;
                }
            }, ClusterApi.Wait), "the deleted pool did not go after its last Service");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task DefinitionDeletedWhileAPoolIsInUse_NothingIsLost_AndItGoesWhenTheLastServiceLetsGo()
    {
        var prefix = Addresses.RandomPrefix();
        var directory = Directory.CreateTempSubdirectory("ferry-e2e-").FullName;
        try
        {
            await using var ferry = await LocalFerry.StartAsync(
                new LocalFerryOptions { DataDirectory = directory, ApiListen = new IPEndPoint(IPAddress.Loopback, 0), Pools = [] },
                NullLoggerFactory.Instance,
                Ct);
            var api = new ClusterApi(ferry.Client);
            await CreatePoolAsync(ferry.Client, "only", $"{prefix}30-{prefix}31");
            await api.CreateServiceAsync("web", 80);
            Assert.Equal(prefix + "30", await api.WaitForIpAsync("web"));
            await WaitForStatusAsync(ferry.Client, "only", s => s.TryGetProperty("allocated", out var a) && a.GetInt32() == 1);

            await ferry.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("addresspools.ferry.dev", cancellationToken: Ct);

            // The pool's protection holds the definition: it terminates, the pool says who holds its address, the Service keeps it.
            var inUse = await WaitForStatusAsync(ferry.Client, "only", s => Condition(s, "Ready").GetProperty("reason").GetString() == "InUse");
            Assert.Contains("default/web", Condition(inUse, "Ready").GetProperty("message").GetString(), StringComparison.Ordinal);
            var crd = await ferry.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("addresspools.ferry.dev", cancellationToken: Ct);
            Assert.NotNull(crd.Metadata.DeletionTimestamp);
            Assert.Contains(crd.Status.Conditions, c => c.Type == "Terminating" && c.Status == "True");
            Assert.Equal(prefix + "30", ClusterApi.IngressIp(await api.GetServiceAsync("web")));
            var refused = await Assert.ThrowsAsync<HttpOperationException>(() => CreatePoolAsync(ferry.Client, "late", $"{prefix}40/32"));
            Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);

            // The Service lets go: the pool goes, then the definition.
            await ferry.Client.CoreV1.DeleteNamespacedServiceAsync("web", "default", cancellationToken: Ct);
            Assert.True(await ClusterApi.EventuallyAsync(async () =>
            {
                try
                {
                    await ferry.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("addresspools.ferry.dev", cancellationToken: Ct);
                    return false;
                }
                catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    return true;
                }
            }, ClusterApi.Wait), "the definition did not go after its last pool");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Task<object> CreatePoolAsync(IKubernetes client, string name, string addresses) =>
        client.CustomObjects.CreateClusterCustomObjectAsync(
            new Dictionary<string, object>
            {
                ["apiVersion"] = "ferry.dev/v1alpha1",
                ["kind"] = "AddressPool",
                ["metadata"] = new Dictionary<string, object> { ["name"] = name },
                ["spec"] = new Dictionary<string, object> { ["addresses"] = new[] { addresses } },
            },
            "ferry.dev", "v1alpha1", "addresspools", cancellationToken: Ct);

    private static async Task<JsonElement> WaitForStatusAsync(IKubernetes client, string name, Func<JsonElement, bool> condition)
    {
        JsonElement last = default;
        var found = await ClusterApi.EventuallyAsync(async () =>
        {
            var pool = (JsonElement)await client.CustomObjects.GetClusterCustomObjectAsync("ferry.dev", "v1alpha1", "addresspools", name, cancellationToken: Ct);
            if (!pool.TryGetProperty("status", out last))
            {
                return false;
            }

            return condition(last);
        }, ClusterApi.Wait);
        Assert.True(found, $"AddressPool {name}: status never matched; last: {last}");
        return last;
    }

    private static JsonElement Condition(JsonElement status, string type) =>
        status.TryGetProperty("conditions", out var conditions)
            ? conditions.EnumerateArray().FirstOrDefault(c => c.GetProperty("type").GetString() == type)
            : default;

    private static async Task<string> KubectlAsync(string kubeconfig, params string[] args)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args.Append("--kubeconfig").Append(kubeconfig))
        {
            info.ArgumentList.Add(arg);
        }

        var cache = Directory.CreateTempSubdirectory("ferry-kubectl-").FullName;
        info.Environment["HOME"] = cache;
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        var errors = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Directory.Delete(cache, recursive: true);
        Assert.True(process.ExitCode == 0, errors);
        return output;
    }
}
