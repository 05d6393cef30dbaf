using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.Tests.Admission;

public class ServiceAllocatorTests
{
    private static ServiceAllocator Small(int seed = 1) => new(
        new ServiceAllocatorOptions { ServiceCidr = "10.0.0.0/29", NodePortMin = 30000, NodePortMax = 30003 }, new Random(seed));

    private static JsonObject Lb(string extra = "")
    {
        var service = ServiceJson.Parse("""
            {"metadata":{"name":"lb","namespace":"default"},
             "spec":{"type":"LoadBalancer","externalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true,
                     "ports":[{"name":"http","port":80,"protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}]}}
            """);
        if (extra.Length > 0)
        {
            service["spec"] = Ferry.ApiServer.Patching.JsonMergePatch.Apply(service["spec"], ServiceJson.Parse("{" + extra.Trim().TrimStart(',') + "}"));
        }

        return service;
    }

    [Fact]
    public void AllocateForCreate_LoadBalancer_GetsClusterIPAndNodePorts()
    {
        var allocator = new ServiceAllocator(random: new Random(42));
        var service = Lb();
        Assert.Empty(allocator.AllocateForCreate(service));

        var ip = (string)service["spec"]!["clusterIP"]!;
        Assert.Equal(ip, (string)service["spec"]!["clusterIPs"]![0]!);
        Assert.StartsWith("10.", ip, StringComparison.Ordinal);
        Assert.NotEqual("10.96.0.1", ip);
        Assert.True(allocator.IsClusterIPAllocated(ip));
        var nodePorts = ServiceFields.Ports(service).Select(p => (int)p["nodePort"]!).ToList();
        Assert.All(nodePorts, p => Assert.InRange(p, 30000, 32767));
        Assert.Equal(2, nodePorts.Distinct().Count());
        Assert.All(nodePorts, p => Assert.True(allocator.IsNodePortAllocated(p)));
        Assert.Null(service["spec"]!["healthCheckNodePort"]);
    }

    [Fact]
    public void AllocateForCreate_SameSeed_SameResult()
    {
        var a = Lb();
        var b = Lb();
        new ServiceAllocator(random: new Random(7)).AllocateForCreate(a);
        new ServiceAllocator(random: new Random(7)).AllocateForCreate(b);
        Assert.Equal(a.ToJsonString(), b.ToJsonString());
    }

    [Fact]
    public void AllocateForCreate_DynamicNodePorts_PreferUpperBand()
    {
        var allocator = new ServiceAllocator(random: new Random(3));
        for (var i = 0; i < 20; i++)
        {
            var service = Lb();
            service["metadata"]!["name"] = "lb" + i;
            Assert.Empty(allocator.AllocateForCreate(service));
            Assert.All(ServiceFields.Ports(service), p => Assert.True((int)p["nodePort"]! >= 30086));
        }
    }

    [Fact]
    public void AllocateForCreate_LocalPolicy_AllocatesHealthCheckNodePort()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = Lb();
        service["spec"]!["externalTrafficPolicy"] = "Local";
        Assert.Empty(allocator.AllocateForCreate(service));
        var hc = (int)service["spec"]!["healthCheckNodePort"]!;
        Assert.True(allocator.IsNodePortAllocated(hc));
        Assert.DoesNotContain(hc, ServiceFields.Ports(service).Select(p => (int)p["nodePort"]!));
    }

    [Fact]
    public void AllocateForCreate_RequestedNodePortTaken_ErrorsAndAllocatesNothing()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var first = Lb();
        first["spec"]!["ports"]![0]!["nodePort"] = 30080;
        Assert.Empty(allocator.AllocateForCreate(first));
        var ipsBefore = allocator.AllocatedClusterIPCount;
        var portsBefore = allocator.AllocatedNodePortCount;

        var second = Lb();
        second["metadata"]!["name"] = "other";
        second["spec"]!["ports"]![1]!["nodePort"] = 30080;
        var errors = allocator.AllocateForCreate(second);

        Assert.Equal(["spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated"], errors.Select(e => e.ToString()));
        Assert.Equal(ipsBefore, allocator.AllocatedClusterIPCount);
        Assert.Equal(portsBefore, allocator.AllocatedNodePortCount);
    }

    [Theory]
    [InlineData("outside node port range", "nodePort", 29999, "spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767")]
    public void AllocateForCreate_RequestedNodePortOutOfRange_Errors(string description, string field, int value, string expected)
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = Lb();
        service["spec"]!["ports"]![0]![field] = value;
        Assert.True(expected == allocator.AllocateForCreate(service).Single().ToString(), description);
        Assert.Equal(1, allocator.AllocatedClusterIPCount);
        Assert.Equal(0, allocator.AllocatedNodePortCount);
    }

    [Theory]
    [InlineData("taken", "10.96.0.1", "spec.clusterIPs: Invalid value: [\"10.96.0.1\"]: failed to allocate IP 10.96.0.1: provided IP is already allocated")]
    [InlineData("outside the CIDR", "192.0.2.10", "spec.clusterIPs: Invalid value: [\"192.0.2.10\"]: failed to allocate IP 192.0.2.10: the provided IP (192.0.2.10) is not in the valid range. The range of valid IPs is 10.96.0.0/12")]
    public void AllocateForCreate_RequestedClusterIP_Errors(string description, string ip, string expected)
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = Lb();
        service["spec"]!["clusterIP"] = ip;
        service["spec"]!["clusterIPs"] = new JsonArray(ip);
        Assert.True(expected == allocator.AllocateForCreate(service).Single().ToString(), description);
        Assert.Equal(0, allocator.AllocatedNodePortCount);
    }

    [Fact]
    public void AllocateForCreate_KubernetesService_MayUseReservedAddress()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = ServiceJson.Parse("""
            {"metadata":{"name":"kubernetes","namespace":"default"},
             "spec":{"type":"ClusterIP","clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"],"ports":[{"name":"https","port":443,"targetPort":6443}]}}
            """);
        Assert.Empty(allocator.AllocateForCreate(service));
        allocator.Release(service);
        Assert.True(allocator.IsClusterIPAllocated("10.96.0.1"));
    }

    [Fact]
    public void AllocateForCreate_RequestedClusterIP_Reserved()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = Lb(""","clusterIP":"10.96.5.5","clusterIPs":["10.96.5.5"]""");
        Assert.Empty(allocator.AllocateForCreate(service));
        Assert.True(allocator.IsClusterIPAllocated("10.96.5.5"));
    }

    [Fact]
    public void AllocateForCreate_RangesFull_InternalErrors()
    {
        var allocator = Small();
        // /29 has 6 usable addresses, the first reserved: 5 Services fit.
        for (var i = 0; i < 5; i++)
        {
            var ok = ServiceJson.Parse($$$"""{"metadata":{"name":"s{{{i}}}"},"spec":{"type":"ClusterIP","ports":[{"port":80}]}}""");
            Assert.Empty(allocator.AllocateForCreate(ok));
        }

        var full = ServiceJson.Parse("""{"metadata":{"name":"x"},"spec":{"type":"ClusterIP","ports":[{"port":80}]}}""");
        var error = allocator.AllocateForCreate(full).Single();
        Assert.Equal(FieldErrorType.InternalError, error.Type);
        Assert.Equal("failed to allocate a serviceIP: range is full", error.Message);

        var ports = Small();
        var three = ServiceJson.Parse("""{"metadata":{"name":"np"},"spec":{"type":"NodePort","ports":[{"name":"a","port":1},{"name":"b","port":2},{"name":"c","port":3},{"name":"d","port":4},{"name":"e","port":5}]}}""");
        var portError = ports.AllocateForCreate(three).Single();
        Assert.Equal("failed to allocate a nodePort: range is full", portError.Message);
        Assert.Equal(0, ports.AllocatedNodePortCount);
        Assert.Equal(1, ports.AllocatedClusterIPCount);
    }

    [Fact]
    public void AllocateForCreate_SamePortTwoProtocols_ShareNodePort()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = ServiceJson.Parse("""
            {"metadata":{"name":"dns"},"spec":{"type":"NodePort","ports":[{"name":"tcp","port":53,"protocol":"TCP"},{"name":"udp","port":53,"protocol":"UDP"}]}}
            """);
        Assert.Empty(allocator.AllocateForCreate(service));
        var nodePorts = ServiceFields.Ports(service).Select(p => (int)p["nodePort"]!).ToList();
        Assert.Equal(nodePorts[0], nodePorts[1]);
        Assert.Equal(1, allocator.AllocatedNodePortCount);
    }

    [Fact]
    public void AllocateForCreate_AllocateLoadBalancerNodePortsFalse_NoNodePorts()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = Lb();
        service["spec"]!["allocateLoadBalancerNodePorts"] = false;
        Assert.Empty(allocator.AllocateForCreate(service));
        Assert.All(ServiceFields.Ports(service), p => Assert.Null(p["nodePort"]));
    }

    [Fact]
    public void AllocateForCreate_ExternalNameAndHeadless_NoClusterIP()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var external = ServiceJson.Parse("""{"metadata":{"name":"e"},"spec":{"type":"ExternalName","externalName":"db.example.com"}}""");
        var headless = ServiceJson.Parse("""{"metadata":{"name":"h"},"spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"],"ports":[{"port":80}]}}""");
        Assert.Empty(allocator.AllocateForCreate(external));
        Assert.Empty(allocator.AllocateForCreate(headless));
        Assert.Null(external["spec"]!["clusterIP"]);
        Assert.Equal("None", (string)headless["spec"]!["clusterIP"]!);
        Assert.Equal(1, allocator.AllocatedClusterIPCount);
    }

    [Fact]
    public void AllocateForCreate_IPv6Family_NotConfigured()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = Lb(""","ipFamilies":["IPv6"]""");
        Assert.Equal(["spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"], allocator.AllocateForCreate(service).Select(e => e.ToString()));
    }

    [Fact]
    public void AllocateForCreate_IPv6Range_SingleStackIPv6GetsAnIPv6ClusterIP_DualStackStillNotConfigured()
    {
        var allocator = new ServiceAllocator(new ServiceAllocatorOptions { ServiceCidrIPv6 = "fd00:10:96::1/112" }, new Random(1));
        Assert.Equal("fd00:10:96::/112", allocator.ServiceCidrIPv6);
        var v6 = Lb(""","ipFamilies":["IPv6"]""");
        Assert.Empty(allocator.AllocateForCreate(v6));
        var ip = System.Net.IPAddress.Parse((string)v6["spec"]!["clusterIP"]!);
        Assert.True(System.Net.IPNetwork.Parse("fd00:10:96::/112").Contains(ip), ip.ToString());
        Assert.NotEqual(System.Net.IPAddress.Parse("fd00:10:96::"), ip);
        Assert.Equal([ip.ToString()], v6["spec"]!["clusterIPs"]!.AsArray().Select(n => (string)n!));
        Assert.True(allocator.IsClusterIPAllocated(ip.ToString()));
        Assert.Equal(2, allocator.AllocatedClusterIPCount); // with the reserved 10.96.0.1

        var v4 = Lb();
        v4["metadata"]!["name"] = "v4";
        Assert.Empty(allocator.AllocateForCreate(v4));
        Assert.StartsWith("10.", (string)v4["spec"]!["clusterIP"]!, StringComparison.Ordinal);

        var dual = Lb(""","ipFamilies":["IPv4","IPv6"]""");
        Assert.Equal(["spec.ipFamilies[1]: Invalid value: \"IPv6\": not configured on this cluster"], allocator.AllocateForCreate(dual).Select(e => e.ToString()));

        allocator.Release(v6);
        Assert.False(allocator.IsClusterIPAllocated(ip.ToString()));
        var rebuilt = new ServiceAllocator(allocator.Options, new Random(7));
        rebuilt.Rebuild([v4, v6]);
        Assert.True(rebuilt.IsClusterIPAllocated(ip.ToString()));
        Assert.Equal(3, rebuilt.AllocatedClusterIPCount);
    }

    [Theory]
    [InlineData("fd00:10:96::99", null)]
    [InlineData("fd00:10:97::1", "spec.clusterIPs: Invalid value: [\"fd00:10:97::1\"]: failed to allocate IP fd00:10:97::1: the provided IP (fd00:10:97::1) is not in the valid range. The range of valid IPs is fd00:10:96::/112")]
    public void AllocateForCreate_IPv6Range_RequestedClusterIP(string ip, string? expected)
    {
        var allocator = new ServiceAllocator(new ServiceAllocatorOptions { ServiceCidrIPv6 = "fd00:10:96::/112" }, new Random(1));
        var service = Lb(""","ipFamilies":["IPv6"]""");
        service["spec"]!["clusterIP"] = ip;
        service["spec"]!["clusterIPs"] = new JsonArray(ip);
        var errors = allocator.AllocateForCreate(service).Select(e => e.ToString()).ToList();
        Assert.Equal(expected is null ? [] : [expected], errors);
        Assert.Equal(expected is null, allocator.IsClusterIPAllocated(ip));
        if (expected is null)
        {
            var again = Lb(""","ipFamilies":["IPv6"]""");
            again["spec"]!["clusterIP"] = ip;
            again["spec"]!["clusterIPs"] = new JsonArray(ip);
            Assert.Equal([$"spec.clusterIPs: Invalid value: [\"{ip}\"]: failed to allocate IP {ip}: provided IP is already allocated"], allocator.AllocateForCreate(again).Select(e => e.ToString()));
        }
    }

    [Theory]
    [InlineData("10.0.0.0/16")]
    [InlineData("fd00::/64")]
    [InlineData("fd00::/127")]
    public void Options_IPv6Range_MustBeAnIPv6CidrOfUpstreamSize(string cidr) =>
        Assert.Equal([$"ServiceCidrIPv6: service CIDR {cidr} must be an IPv6 CIDR between /108 and /126"], new ServiceAllocatorOptions { ServiceCidrIPv6 = cidr }.Validate());

    [Fact]
    public void AllocateForUpdate_LoadBalancerToClusterIP_ReleasesNodePortsAndHealthCheck()
    {
        var allocator = new ServiceAllocator(random: new Random(5));
        var old = Lb(""","externalTrafficPolicy":"Local" """);
        Assert.Empty(allocator.AllocateForCreate(old));
        Assert.Equal(3, allocator.AllocatedNodePortCount);

        var updated = old.DeepClone().AsObject();
        updated["spec"]!["type"] = "ClusterIP";
        ServiceStrategy.PrepareForUpdate(updated, old);
        Assert.Empty(allocator.AllocateForUpdate(old, updated));

        Assert.Equal(0, allocator.AllocatedNodePortCount);
        Assert.Equal(old["spec"]!["clusterIP"]!.ToJsonString(), updated["spec"]!["clusterIP"]!.ToJsonString());
        Assert.True(allocator.IsClusterIPAllocated((string)updated["spec"]!["clusterIP"]!));
    }

    [Fact]
    public void AllocateForUpdate_ClusterToLocal_AllocatesHealthCheck_AndBackReleases()
    {
        var allocator = new ServiceAllocator(random: new Random(5));
        var old = Lb();
        allocator.AllocateForCreate(old);
        var local = old.DeepClone().AsObject();
        local["spec"]!["externalTrafficPolicy"] = "Local";
        Assert.Empty(allocator.AllocateForUpdate(old, local));
        var hc = (int)local["spec"]!["healthCheckNodePort"]!;
        Assert.True(allocator.IsNodePortAllocated(hc));

        var back = local.DeepClone().AsObject();
        back["spec"]!["externalTrafficPolicy"] = "Cluster";
        ServiceStrategy.PrepareForUpdate(back, local);
        Assert.Null(back["spec"]!["healthCheckNodePort"]);
        Assert.Empty(allocator.AllocateForUpdate(local, back));
        Assert.False(allocator.IsNodePortAllocated(hc));
    }

    [Fact]
    public void AllocateForUpdate_ClientOmitsAllocatedValues_TheyAreKept()
    {
        var allocator = new ServiceAllocator(random: new Random(9));
        var old = Lb(""","externalTrafficPolicy":"Local" """);
        allocator.AllocateForCreate(old);
        var portsBefore = allocator.AllocatedNodePortCount;

        // A client-side apply or PUT that never saw the allocated fields.
        var updated = Lb(""","externalTrafficPolicy":"Local" """);
        Assert.Empty(allocator.AllocateForUpdate(old, updated));
        Assert.Equal(old["spec"]!["clusterIP"]!.ToJsonString(), updated["spec"]!["clusterIP"]!.ToJsonString());
        Assert.Equal(old["spec"]!["healthCheckNodePort"]!.ToJsonString(), updated["spec"]!["healthCheckNodePort"]!.ToJsonString());
        Assert.Equal(old["spec"]!["ports"]!.ToJsonString(), updated["spec"]!["ports"]!.ToJsonString());
        Assert.Equal(portsBefore, allocator.AllocatedNodePortCount);
    }

    [Fact]
    public void AllocateForUpdate_NewPortAndRemovedPort_AllocatesAndReleases()
    {
        var allocator = new ServiceAllocator(random: new Random(11));
        var old = Lb();
        allocator.AllocateForCreate(old);
        var removed = (int)old["spec"]!["ports"]![1]!["nodePort"]!;

        var updated = old.DeepClone().AsObject();
        updated["spec"]!["ports"]![1] = new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP" };
        Assert.Empty(allocator.AllocateForUpdate(old, updated));
        var added = (int)updated["spec"]!["ports"]![1]!["nodePort"]!;
        Assert.True(allocator.IsNodePortAllocated(added));
        Assert.False(allocator.IsNodePortAllocated(removed));
        Assert.Equal(2, allocator.AllocatedNodePortCount);
    }

    [Fact]
    public void AllocateForUpdate_ConflictingNodePort_ChangesNothing()
    {
        var allocator = new ServiceAllocator(random: new Random(11));
        var other = Lb();
        other["metadata"]!["name"] = "other";
        other["spec"]!["ports"]![0]!["nodePort"] = 31000;
        allocator.AllocateForCreate(other);
        var old = Lb();
        allocator.AllocateForCreate(old);
        var count = allocator.AllocatedNodePortCount;

        var updated = old.DeepClone().AsObject();
        updated["spec"]!["ports"]![0]!["nodePort"] = 31000;
        var errors = allocator.AllocateForUpdate(old, updated);
        Assert.Equal(["spec.ports[0].nodePort: Invalid value: 31000: provided port is already allocated"], errors.Select(e => e.ToString()));
        Assert.Equal(count, allocator.AllocatedNodePortCount);
        Assert.True(allocator.IsNodePortAllocated((int)old["spec"]!["ports"]![0]!["nodePort"]!));
    }

    [Fact]
    public void Release_And_Rebuild_TrackStoredServices()
    {
        var allocator = new ServiceAllocator(random: new Random(2));
        var a = Lb(""","externalTrafficPolicy":"Local" """);
        var b = Lb();
        b["metadata"]!["name"] = "b";
        allocator.AllocateForCreate(a);
        allocator.AllocateForCreate(b);

        var rebuilt = new ServiceAllocator(random: new Random(99));
        rebuilt.Rebuild([a, b]);
        Assert.Equal(allocator.AllocatedNodePortCount, rebuilt.AllocatedNodePortCount);
        Assert.Equal(allocator.AllocatedClusterIPCount, rebuilt.AllocatedClusterIPCount);
        Assert.True(rebuilt.IsNodePortAllocated((int)a["spec"]!["healthCheckNodePort"]!));

        rebuilt.Release(a);
        Assert.Equal(2, rebuilt.AllocatedNodePortCount);
        Assert.False(rebuilt.IsClusterIPAllocated((string)a["spec"]!["clusterIP"]!));
        Assert.True(rebuilt.IsClusterIPAllocated("10.96.0.1"));
    }

    [Fact]
    public void BeginCreate_Revert_FreesEverything()
    {
        var allocator = new ServiceAllocator(random: new Random(2));
        var allocation = allocator.BeginCreate(Lb(""","externalTrafficPolicy":"Local" """));
        Assert.True(allocation.Succeeded);
        Assert.Equal(3, allocator.AllocatedNodePortCount);
        allocation.Revert();
        allocation.Commit();
        Assert.Equal(0, allocator.AllocatedNodePortCount);
        Assert.Equal(1, allocator.AllocatedClusterIPCount);
    }

    [Fact]
    public void AllocateForCreate_ManyServicesInParallel_NoDuplicates()
    {
        var allocator = new ServiceAllocator(random: new Random(4));
        var services = Enumerable.Range(0, 200).Select(i =>
        {
            var s = Lb();
            s["metadata"]!["name"] = "s" + i;
            return s;
        }).ToList();
        Parallel.ForEach(services, s => Assert.Empty(allocator.AllocateForCreate(s)));
        var nodePorts = services.SelectMany(s => ServiceFields.Ports(s).Select(p => (int)p["nodePort"]!)).ToList();
        Assert.Equal(nodePorts.Count, nodePorts.Distinct().Count());
        Assert.Equal(200, services.Select(s => (string)s["spec"]!["clusterIP"]!).Distinct().Count());
    }
}
