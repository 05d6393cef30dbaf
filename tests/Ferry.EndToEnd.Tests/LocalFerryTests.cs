using System.Net;
using Ferry.Controller;
using k8s;
using k8s.Models;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// The controller against the embedded API server over real HTTP with KubernetesClient, programming
/// the real data plane: external IP, status, finalizer, Events and real traffic through the VIP.
/// </summary>
public class LocalFerryTests
{
    private static string? IngressIp(V1Service? service) => service?.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip;

    [Fact]
    public async Task LoadBalancerService_GetsIpServesTrafficAndCleansUpOnDelete()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        await using var backend = new GreetingBackend("hello");
        await fixture.CreateServiceAsync("web", 8765);
        await fixture.CreateEndpointSliceAsync("web", backend.EndPoint);

        var service = await fixture.WaitForServiceAsync("web", s => IngressIp(s) is not null);
        var ip = IngressIp(service)!;
        Assert.StartsWith(fixture.PoolPrefix, ip, StringComparison.Ordinal);
        Assert.NotEqual(fixture.PoolPrefix + "0", ip); // network address skipped
        Assert.Equal("VIP", service!.Status.LoadBalancer.Ingress[0].IpMode);
        Assert.Contains(FerryAnnotations.CleanupFinalizer, service.Metadata.Finalizers);
        var vip = new IPEndPoint(IPAddress.Parse(ip), 8765);
        Assert.Equal("hello", await GreetingBackend.ReadUntilAsync(vip, "hello"));

        var events = await fixture.WaitForEventAsync("web", "EnsuredLoadBalancer");
        Assert.Equal("Normal EnsuringLoadBalancer: Ensuring load balancer", events[0]);
        Assert.Contains("Normal EnsuredLoadBalancer: Ensured load balancer", events);

        await fixture.Client.CoreV1.DeleteNamespacedServiceAsync("web", "default", cancellationToken: TestContext.Current.CancellationToken);
        await fixture.WaitForServiceAsync("web", s => s is null);

        // The finalizer came off only after the listener closed and the IP was released.
        Assert.Null(await GreetingBackend.ReadAsync(vip, TestContext.Current.CancellationToken));
        Assert.Equal(0, fixture.Ferry.Host.Allocator.Count);
        Assert.Empty(fixture.Ferry.Host.DataPlane.GetStats());
    }

    [Fact]
    public async Task TypeChangedAwayFromLoadBalancer_ListenerClosedFinalizerRemovedStatusCleared()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        await using var backend = new GreetingBackend("b");
        await fixture.CreateServiceAsync("web", 8080);
        await fixture.CreateEndpointSliceAsync("web", backend.EndPoint);
        var ip = IngressIp(await fixture.WaitForServiceAsync("web", s => IngressIp(s) is not null))!;

        var patch = new V1Patch("""{"spec":{"type":"ClusterIP"}}""", V1Patch.PatchType.MergePatch);
        await fixture.Client.CoreV1.PatchNamespacedServiceAsync(patch, "web", "default", cancellationToken: TestContext.Current.CancellationToken);

        var service = await fixture.WaitForServiceAsync("web", s => s?.Metadata.Finalizers?.Contains(FerryAnnotations.CleanupFinalizer) != true);
        Assert.Null(IngressIp(service));
        Assert.Null(await GreetingBackend.ReadAsync(new IPEndPoint(IPAddress.Parse(ip), 8080), TestContext.Current.CancellationToken));
        var events = await fixture.WaitForEventAsync("web", "DeletedLoadBalancer");
        Assert.Contains("Normal DeletingLoadBalancer: Deleting load balancer", events);
    }

    [Fact]
    public async Task PoolExhausted_SecondServiceWaitsThenGetsTheFreedAddress()
    {
        await using var fixture = await LocalFerryFixture.StartAsync(poolRange: "7-7");
        await fixture.CreateServiceAsync("first", 80);
        var ip = IngressIp(await fixture.WaitForServiceAsync("first", s => IngressIp(s) is not null));
        Assert.Equal(fixture.PoolPrefix + "7", ip);

        await fixture.CreateServiceAsync("second", 80);
        var events = await fixture.WaitForEventAsync("second", "SyncLoadBalancerFailed");
        Assert.Contains(events, e => e.StartsWith("Warning SyncLoadBalancerFailed: Error syncing load balancer: failed to ensure load balancer:", StringComparison.Ordinal));
        var pending = await fixture.Client.CoreV1.ReadNamespacedServiceAsync("second", "default", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(IngressIp(pending));
        Assert.Contains(FerryAnnotations.CleanupFinalizer, pending.Metadata.Finalizers);

        await fixture.Client.CoreV1.DeleteNamespacedServiceAsync("first", "default", cancellationToken: TestContext.Current.CancellationToken);

        // Freed addresses hand over at once, not after the 5 s backoff.
        var second = await fixture.WaitForServiceAsync("second", s => IngressIp(s) is not null);
        Assert.Equal(fixture.PoolPrefix + "7", IngressIp(second));
    }

    [Fact]
    public async Task OtherLoadBalancerClass_IsLeftAlone()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        await fixture.CreateServiceAsync("other", 80, s => s.Spec.LoadBalancerClass = "example.com/other");
        await fixture.CreateServiceAsync("mine", 81);
        await fixture.WaitForServiceAsync("mine", s => IngressIp(s) is not null);

        var other = await fixture.Client.CoreV1.ReadNamespacedServiceAsync("other", "default", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(IngressIp(other));
        Assert.Null(other.Metadata.Finalizers);
        Assert.Empty(await fixture.EventsAsync("other"));
    }

    [Fact]
    public async Task EndpointsChange_BackendsFollowWithoutNewIp()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        await using var one = new GreetingBackend("one");
        await using var two = new GreetingBackend("two");
        await fixture.CreateServiceAsync("web", 9000);
        await fixture.CreateEndpointSliceAsync("web", one.EndPoint);
        var ip = IngressIp(await fixture.WaitForServiceAsync("web", s => IngressIp(s) is not null))!;
        var vip = new IPEndPoint(IPAddress.Parse(ip), 9000);
        Assert.Equal("one", await GreetingBackend.ReadUntilAsync(vip, "one"));

        var slice = await fixture.Client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("web-1", "default", cancellationToken: TestContext.Current.CancellationToken);
        slice.Endpoints = [new V1Endpoint { Addresses = [two.EndPoint.Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }];
        slice.Ports = [new Discoveryv1EndpointPort { Name = "main", Port = two.EndPoint.Port, Protocol = "TCP" }];
        await fixture.Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, "web-1", "default", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("two", await GreetingBackend.ReadUntilAsync(vip, "two"));
        Assert.Equal(ip, IngressIp(await fixture.Client.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: TestContext.Current.CancellationToken)));
    }
}
