using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Tests.Patching;

namespace Ferry.ApiServer.Tests.Admission;

public class ServiceAdmissionTests
{
    [Fact]
    public void AdmitCreate_KubectlExpose_ProducesWhatClientsExpect()
    {
        var admission = new ServiceAdmission(new ServiceAllocator(random: new Random(1)));
        var service = ServiceJson.Expose();
        service["status"] = ServiceJson.Parse("""{"loadBalancer":{"ingress":[{"ip":"6.6.6.6"}]}}""");

        Assert.Empty(admission.AdmitCreate(service));

        var spec = service["spec"]!;
        Assert.Equal("LoadBalancer", (string)spec["type"]!);
        Assert.NotNull(spec["clusterIP"]);
        Assert.InRange((int)spec["ports"]![0]!["nodePort"]!, 30000, 32767);
        Assert.Equal(9376, (int)spec["ports"]![0]!["targetPort"]!);
        Assert.True((bool)spec["allocateLoadBalancerNodePorts"]!);
        PatchAssert.JsonEqual("""{"loadBalancer":{}}""", service["status"], "create ignores the client's status");
    }

    [Fact]
    public void AdmitCreate_Invalid_RollsBackAllocation()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var admission = new ServiceAdmission(allocator);
        var service = ServiceJson.Expose("Bad_Name");
        var errors = admission.AdmitCreate(service);
        Assert.Single(errors);
        Assert.StartsWith("metadata.name: Invalid value: \"Bad_Name\"", errors[0].ToString(), StringComparison.Ordinal);
        Assert.Equal(0, allocator.AllocatedNodePortCount);
        Assert.Equal(1, allocator.AllocatedClusterIPCount);
    }

    [Fact]
    public void AdmitCreate_DryRun_AllocatesNothing()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var service = ServiceJson.Expose();
        Assert.Empty(new ServiceAdmission(allocator).AdmitCreate(service, dryRun: true));
        Assert.NotNull(service["spec"]!["clusterIP"]);
        Assert.Equal(0, allocator.AllocatedNodePortCount);
    }

    [Fact]
    public void AdmitUpdate_LeavingLoadBalancer_ClearsTypeDependentFieldsAndStatus()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var admission = new ServiceAdmission(allocator);
        var old = ServiceJson.Expose();
        old["spec"]!["externalTrafficPolicy"] = "Local";
        old["spec"]!["loadBalancerClass"] = "ferry.example/lb";
        Assert.Empty(admission.AdmitCreate(old));
        old["status"] = ServiceJson.Parse("""{"loadBalancer":{"ingress":[{"ip":"192.0.2.1","ipMode":"VIP"}]}}""");

        var updated = old.DeepClone().AsObject();
        updated["spec"]!["type"] = "ClusterIP";
        Assert.Empty(admission.AdmitUpdate(old, updated));

        var spec = updated["spec"]!.AsObject();
        Assert.False(spec.ContainsKey("healthCheckNodePort"));
        Assert.False(spec.ContainsKey("loadBalancerClass"));
        Assert.False(spec.ContainsKey("allocateLoadBalancerNodePorts"));
        Assert.False(spec.ContainsKey("externalTrafficPolicy"));
        Assert.All(ServiceFields.Ports(updated), p => Assert.False(p.ContainsKey("nodePort")));
        PatchAssert.JsonEqual("""{"loadBalancer":{}}""", updated["status"]);
        Assert.Equal(0, allocator.AllocatedNodePortCount);
    }

    [Fact]
    public void AdmitUpdate_ToExternalName_ReleasesClusterIP()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var admission = new ServiceAdmission(allocator);
        var old = ServiceJson.Parse("""{"metadata":{"name":"db","namespace":"default"},"spec":{"ports":[{"port":5432}]}}""");
        Assert.Empty(admission.AdmitCreate(old));
        var ip = (string)old["spec"]!["clusterIP"]!;

        var updated = old.DeepClone().AsObject();
        updated["spec"]!["type"] = "ExternalName";
        updated["spec"]!["externalName"] = "db.example.com";
        updated["spec"]!.AsObject().Remove("internalTrafficPolicy");
        var errors = admission.AdmitUpdate(old, updated);
        Assert.True(errors.Count == 0, string.Join(" | ", errors));
        Assert.Null(updated["spec"]!["clusterIP"]);
        Assert.False(allocator.IsClusterIPAllocated(ip));
    }

    [Fact]
    public void AdmitUpdate_ChangedClusterIP_RejectedAndNothingLeaks()
    {
        var allocator = new ServiceAllocator(random: new Random(1));
        var admission = new ServiceAdmission(allocator);
        var old = ServiceJson.Expose();
        admission.AdmitCreate(old);
        var count = allocator.AllocatedClusterIPCount;

        var updated = old.DeepClone().AsObject();
        updated["spec"]!["clusterIP"] = "10.96.9.9";
        updated["spec"]!["clusterIPs"] = new System.Text.Json.Nodes.JsonArray("10.96.9.9");
        var errors = admission.AdmitUpdate(old, updated);
        Assert.Contains(errors, e => e.Field == "spec.clusterIPs[0]" && e.Message == "may not change once set");
        Assert.Equal(count, allocator.AllocatedClusterIPCount);
    }

    [Fact]
    public void AdmitStatusUpdate_KeepsSpec_DefaultsIpMode()
    {
        var admission = new ServiceAdmission(new ServiceAllocator(random: new Random(1)));
        var old = ServiceJson.Expose();
        admission.AdmitCreate(old);
        var updated = old.DeepClone().AsObject();
        updated["spec"]!["type"] = "ClusterIP";
        updated["status"] = ServiceJson.Parse("""{"loadBalancer":{"ingress":[{"ip":"192.0.2.7"}]}}""");

        Assert.Empty(ServiceAdmission.AdmitStatusUpdate(old, updated));
        Assert.Equal("LoadBalancer", (string)updated["spec"]!["type"]!);
        Assert.Equal("VIP", (string)updated["status"]!["loadBalancer"]!["ingress"]![0]!["ipMode"]!);
    }
}
