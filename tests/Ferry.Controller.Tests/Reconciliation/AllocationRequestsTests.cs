using System.Net;
using Ferry.Controller.Reconciliation;

namespace Ferry.Controller.Tests.Reconciliation;

/// <summary>The allocator's request from a Service: Ferry's annotations and MetalLB's (both spellings) mean the same.</summary>
public class AllocationRequestsTests
{
    [Theory]
    [InlineData("ferry.dev/load-balancer-ips", "ferry.dev/address-pool", "ferry.dev/allow-shared-ip")]
    [InlineData("metallb.io/loadBalancerIPs", "metallb.io/address-pool", "metallb.io/allow-shared-ip")]
    [InlineData("metallb.universe.tf/loadBalancerIPs", "metallb.universe.tf/address-pool", "metallb.universe.tf/allow-shared-ip")]
    public void Annotations_AnySpelling_GiveTheSameRequest(string ips, string pool, string shared)
    {
        var service = Builders.LoadBalancer("web", Builders.Port(80));
        service.Metadata.Annotations = new Dictionary<string, string> { [ips] = "192.0.2.10, 2001:db8::10", [pool] = " production ", [shared] = "key-1" };

        var (request, error) = AllocationRequests.For(service);

        Assert.Null(error);
        Assert.Equal([IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")], request!.RequestedAddresses);
        Assert.Equal("production", request.PoolName);
        Assert.Equal("key-1", request.SharingKey);
    }

    [Fact]
    public void FerryAndMetalLbAnnotations_Agreeing_AreOneSetting()
    {
        var service = Builders.LoadBalancer("web", Builders.Port(80));
        service.Metadata.Annotations = new Dictionary<string, string> { ["ferry.dev/address-pool"] = "a", ["metallb.io/address-pool"] = "a" };

        var (request, error) = AllocationRequests.For(service);

        Assert.Null(error);
        Assert.Equal("a", request!.PoolName);
    }

    [Fact]
    public void FerryAndMetalLbAnnotations_Disagreeing_AreAnErrorNamingBoth()
    {
        var service = Builders.LoadBalancer("web", Builders.Port(80));
        service.Metadata.Annotations = new Dictionary<string, string> { ["ferry.dev/address-pool"] = "a", ["metallb.universe.tf/address-pool"] = "b" };

        var (request, error) = AllocationRequests.For(service);

        Assert.Null(request);
        Assert.Equal("annotations ferry.dev/address-pool (\"a\") and metallb.universe.tf/address-pool (\"b\") disagree; set one of them", error);
    }

    [Fact]
    public void MetalLbAddressAnnotation_BadAddress_NamesTheAnnotation()
    {
        var service = Builders.LoadBalancer("web", Builders.Port(80));
        service.Metadata.Annotations = new Dictionary<string, string> { ["metallb.io/loadBalancerIPs"] = "192.0.2.300" };

        var (_, error) = AllocationRequests.For(service);

        Assert.Equal("annotation metallb.io/loadBalancerIPs: invalid IP address \"192.0.2.300\"", error);
    }
}
