using System.Net;
using Ferry.Controller;
using Ferry.Controller.Translation;
using Ferry.Ipam;
using k8s;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// Which external IP a Service gets: requested (field or annotation), conflicts reported with the
/// holder's name, sharing between Services with the same key and disjoint ports, named pools.
/// </summary>
public class AddressAllocationTests
{
    [Fact]
    public async Task RequestedIp_FieldAndAnnotationHonoured_ConflictNamesHolder_ThenHandedOver()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        var wanted = fixture.PoolPrefix + "77";
        await api.CreateServiceAsync("first", 80, s => s.Spec.LoadBalancerIP = wanted);
        await api.CreateServiceAsync("second", 80, s => s.Metadata.Annotations[FerryAnnotations.LoadBalancerIps] = fixture.PoolPrefix + "78");
        Assert.Equal(wanted, await api.WaitForIpAsync("first"));
        Assert.Equal(fixture.PoolPrefix + "78", await api.WaitForIpAsync("second"));

        // A second Service asking for the same IP is told who holds it and gets nothing.
        await api.CreateServiceAsync("third", 81, s => s.Spec.LoadBalancerIP = wanted);
        var events = await api.WaitForEventAsync("third", "SyncLoadBalancerFailed");
        Assert.Contains(events, e => e.StartsWith("Warning SyncLoadBalancerFailed: Error syncing load balancer: failed to ensure load balancer:", StringComparison.Ordinal) && e.Contains("default/first", StringComparison.Ordinal) && e.Contains(wanted, StringComparison.Ordinal));
        Assert.Null(ClusterApi.IngressIp(await api.GetServiceAsync("third")));
        Assert.Equal(wanted, ClusterApi.IngressIp(await api.GetServiceAsync("first")));

        // The holder goes: the waiting Service gets the address it asked for, at once.
        await fixture.Client.CoreV1.DeleteNamespacedServiceAsync("first", "default", cancellationToken: TestContext.Current.CancellationToken);
        var third = await api.WaitForServiceAsync("third", s => ClusterApi.IngressIp(s) is not null, TimeSpan.FromSeconds(4));
        Assert.Equal(wanted, ClusterApi.IngressIp(third));
    }

    [Fact]
    public async Task RequestedIpOutsideEveryPool_FailsWithEventAndNoIp()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        await api.CreateServiceAsync("web", 80, s => s.Spec.LoadBalancerIP = "192.0.2.10");
        var events = await api.WaitForEventAsync("web", "SyncLoadBalancerFailed");
        Assert.Contains(events, e => e.Contains("192.0.2.10", StringComparison.Ordinal));
        Assert.Null(ClusterApi.IngressIp(await api.GetServiceAsync("web")));
    }

    [Fact]
    public async Task AllowSharedIp_TcpAndUdpOnSamePortShareOneAddress_CollidingPortDoesNot()
    {
        // One address in the pool: Services can only both get it by sharing.
        await using var fixture = await LocalFerryFixture.StartAsync(poolRange: "7-7");
        var api = new ClusterApi(fixture.Client);
        var address = fixture.PoolPrefix + "7";
        await using var tcp = new GreetingBackend("tcp");
        await using var udp = new UdpBackend("udp");
        await api.CreateServiceAsync("dns-tcp", 53, s => s.Metadata.Annotations[FerryAnnotations.AllowSharedIp] = "dns");
        await api.CreateServiceAsync("dns-udp", 53, s =>
        {
            s.Metadata.Annotations[FerryAnnotations.AllowSharedIp] = "dns";
            s.Spec.Ports[0].Protocol = "UDP";
        });
        await api.CreateEndpointSlicesAsync("dns-tcp", tcp.EndPoint);
        await api.CreateEndpointSlicesAsync("dns-udp", "UDP", udp.EndPoint);
        Assert.Equal(address, await api.WaitForIpAsync("dns-tcp"));
        Assert.Equal(address, await api.WaitForIpAsync("dns-udp"));

        // Both protocols are served on the one address, each to its own Service's backend.
        var vip = new IPEndPoint(IPAddress.Parse(address), 53);
        Assert.Equal("tcp", await GreetingBackend.ReadUntilAsync(vip, "tcp"));
        Assert.True(await ClusterApi.EventuallyAsync(async () => await UdpBackend.AskAsync(vip) == "udp", TimeSpan.FromSeconds(5)));

        // Same key but TCP 53 again: the port collides, so no address; and no key means no sharing at all.
        await api.CreateServiceAsync("dns-tcp-2", 53, s => s.Metadata.Annotations[FerryAnnotations.AllowSharedIp] = "dns");
        await api.CreateServiceAsync("unshared", 8080);
        await api.WaitForEventAsync("dns-tcp-2", "SyncLoadBalancerFailed");
        await api.WaitForEventAsync("unshared", "SyncLoadBalancerFailed");
        Assert.Null(ClusterApi.IngressIp(await api.GetServiceAsync("dns-tcp-2")));
        Assert.Null(ClusterApi.IngressIp(await api.GetServiceAsync("unshared")));
        Assert.Equal("tcp", await Traffic.ReadAsync(vip));
    }

    [Fact]
    public async Task AddressPoolAnnotation_TakesFromNamedPool_UnknownPoolFails()
    {
        var bluePrefix = string.Empty;
        await using var fixture = await ControllerFixture.StartAsync(
            new TranslationOptions { DefaultTargets = TargetMode.Endpoints },
            prefix =>
            {
                bluePrefix = Addresses.RandomPrefix(prefix);
                return
                [
                    new AddressPool("default", [AddressRange.Parse(prefix + "0/24")]),
                    new AddressPool("blue", [AddressRange.Parse(bluePrefix + "10-" + bluePrefix + "20")], AutoAssign: false),
                ];
            });
        var api = fixture.Api;
        await using var backend = new GreetingBackend("blue");
        await api.CreateServiceAsync("plain", 80);
        await api.CreateServiceAsync("blue", 80, s => s.Metadata.Annotations[FerryAnnotations.AddressPool] = "blue");
        await api.CreateServiceAsync("nowhere", 80, s => s.Metadata.Annotations[FerryAnnotations.AddressPool] = "nope");
        await api.CreateEndpointSlicesAsync("blue", backend.EndPoint);

        Assert.StartsWith(fixture.PoolPrefix, await api.WaitForIpAsync("plain"), StringComparison.Ordinal);
        var blue = await api.WaitForIpAsync("blue");
        Assert.Equal(bluePrefix + "10", blue);
        Assert.Equal("blue", await GreetingBackend.ReadUntilAsync(new IPEndPoint(IPAddress.Parse(blue), 80), "blue"));
        var events = await api.WaitForEventAsync("nowhere", "SyncLoadBalancerFailed");
        Assert.Contains(events, e => e.Contains("nope", StringComparison.Ordinal));
        Assert.Null(ClusterApi.IngressIp(await api.GetServiceAsync("nowhere")));
    }

}
