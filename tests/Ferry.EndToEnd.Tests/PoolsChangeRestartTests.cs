using System.Net;
using Ferry.Hosting;
using Ferry.Ipam;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// A restart with pools that no longer hold a live Service's address (docs/running-in-a-cluster.md, "Address
/// pools"): the Service keeps its address and keeps serving, with a Warning Event saying so; the address
/// goes to nobody else, and new Services are addressed from the new pools.
/// </summary>
public class PoolsChangeRestartTests
{
    [Fact]
    public async Task RestartWithPoolsWithoutTheAddress_SameIpKept_WarningEvent_TrafficServed()
    {
        var prefix = Addresses.RandomPrefix();
        var directory = Directory.CreateTempSubdirectory("ferry-e2e-").FullName;
        LocalFerryOptions Options(string range) => new()
        {
            DataDirectory = directory,
            ApiListen = new IPEndPoint(IPAddress.Loopback, 0),
            Pools = [new AddressPool("default", [AddressRange.Parse($"{prefix}{range.Split('-')[0]}-{prefix}{range.Split('-')[1]}")])],
        };
        await using var auto = new GreetingBackend("auto");
        await using var requested = new GreetingBackend("requested");
        try
        {
            string autoIp;
            var requestedIp = prefix + "15";
            await using (var ferry = await LocalFerry.StartAsync(Options("10-19"), NullLoggerFactory.Instance, TestContext.Current.CancellationToken))
            {
                var api = new ClusterApi(ferry.Client);
                await api.CreateServiceAsync("auto", 80);
                await api.CreateEndpointSlicesAsync("auto", auto.EndPoint);
                await api.CreateServiceAsync("requested", 80, s => s.Spec.LoadBalancerIP = requestedIp);
                await api.CreateEndpointSlicesAsync("requested", requested.EndPoint);
                autoIp = await api.WaitForIpAsync("auto");
                Assert.Equal(requestedIp, await api.WaitForIpAsync("requested"));
            }

            // The pools no longer hold either address.
            await using (var ferry = await LocalFerry.StartAsync(Options("30-39"), NullLoggerFactory.Instance, TestContext.Current.CancellationToken))
            {
                var api = new ClusterApi(ferry.Client);
                foreach (var (name, ip) in new[] { ("auto", autoIp), ("requested", requestedIp) })
                {
                    await api.WaitForEventAsync(name, "AddressOutsidePools", e => e.StartsWith("Warning ", StringComparison.Ordinal) && e.Contains($"Address {ip} is outside every address pool", StringComparison.Ordinal));
                    // Traffic flows only once the restarted controller ensured the load balancer, on the kept address.
                    Assert.Equal(name, await GreetingBackend.ReadUntilAsync(new IPEndPoint(IPAddress.Parse(ip), 80), name));
                    Assert.Equal(ip, ClusterApi.IngressIp(await api.GetServiceAsync(name)));
                }

                // Another Service gets an address of the new pool, not one of theirs.
                await api.CreateServiceAsync("late", 80);
                var late = await api.WaitForIpAsync("late");
                Assert.StartsWith(prefix + "3", late, StringComparison.Ordinal);
                Assert.Equal(3, ferry.Host.Allocator.Count);
                Assert.DoesNotContain(await api.EventsAsync("auto"), e => e.Contains("SyncLoadBalancerFailed", StringComparison.Ordinal));
                Assert.Equal(autoIp, ClusterApi.IngressIp(await api.GetServiceAsync("auto")));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
