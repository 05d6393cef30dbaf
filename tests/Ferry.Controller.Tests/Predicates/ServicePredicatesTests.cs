using Ferry.Controller.Predicates;
using k8s.Models;

namespace Ferry.Controller.Tests.Predicates;

public class ServicePredicatesTests
{
    private readonly ServicePredicates _predicates = new(ClassSelection.Unset);

    [Theory]
    [InlineData("LoadBalancer", null, ClassSelection.Unset, true)]
    [InlineData("LoadBalancer", "ferry.dev/lb", ClassSelection.Unset, false)]
    [InlineData("LoadBalancer", "ferry.dev/lb", ClassSelection.FerryOnly, true)]
    [InlineData("LoadBalancer", null, ClassSelection.FerryOnly, false)]
    [InlineData("LoadBalancer", "ferry.dev/lb", ClassSelection.UnsetAndFerry, true)]
    [InlineData("LoadBalancer", "other.example/lb", ClassSelection.UnsetAndFerry, false)]
    [InlineData("NodePort", null, ClassSelection.UnsetAndFerry, false)]
    public void WantsLoadBalancer_TypeAndClass(string type, string? loadBalancerClass, ClassSelection selection, bool expected)
    {
        var service = Builders.LoadBalancer();
        service.Spec.Type = type;
        service.Spec.LoadBalancerClass = loadBalancerClass;
        Assert.Equal(expected, new ServicePredicates(selection).WantsLoadBalancer(service));
    }

    [Fact]
    public void NeedsCleanup_FinalizerAndDeletionOrTypeChange()
    {
        var service = Builders.LoadBalancer();
        Assert.False(ServicePredicates.NeedsCleanup(service));
        service.Metadata.Finalizers = [FerryAnnotations.CleanupFinalizer];
        Assert.False(ServicePredicates.NeedsCleanup(service));
        service.Spec.Type = "ClusterIP";
        Assert.True(ServicePredicates.NeedsCleanup(service));
        service.Spec.Type = "LoadBalancer";
        service.Metadata.DeletionTimestamp = DateTime.UtcNow;
        Assert.True(ServicePredicates.NeedsCleanup(service));
    }

    public static TheoryData<string, Action<V1Service>, bool> Changes => new()
    {
        { "nothing", _ => { }, false },
        { "labels are not compared", s => s.Metadata.Labels = new Dictionary<string, string> { ["a"] = "b" }, false },
        { "selector is not compared", s => s.Spec.Selector = new Dictionary<string, string> { ["app"] = "x" }, false },
        { "source ranges", s => s.Spec.LoadBalancerSourceRanges = ["192.0.2.0/24"], true },
        { "port number", s => s.Spec.Ports[0].Port = 81, true },
        { "node port", s => s.Spec.Ports[0].NodePort = 30081, true },
        { "target port", s => s.Spec.Ports[0].TargetPort = 8080, true },
        { "extra port", s => s.Spec.Ports.Add(Builders.Port(443, nodePort: 30443)), true },
        { "session affinity", s => s.Spec.SessionAffinity = "ClientIP", true },
        { "annotation", s => s.Metadata.Annotations["x"] = "y", true },
        { "uid", s => s.Metadata.Uid = "other", true },
        { "traffic policy", s => s.Spec.ExternalTrafficPolicy = "Local", true },
        { "health check node port", s => s.Spec.HealthCheckNodePort = 32000, true },
        { "type away from LoadBalancer", s => s.Spec.Type = "ClusterIP", true },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void NeedsUpdate_MatchesUpstream(string description, Action<V1Service> change, bool expected)
    {
        var old = Builders.LoadBalancer();
        var current = Builders.LoadBalancer();
        change(current);
        Assert.True(expected == _predicates.NeedsUpdate(old, current), description);
    }

    [Fact]
    public void NeedsUpdate_NeitherWantsLoadBalancer_False()
    {
        var old = Builders.LoadBalancer();
        old.Spec.Type = "ClusterIP";
        var current = Builders.LoadBalancer();
        current.Spec.Type = "NodePort";
        Assert.False(_predicates.NeedsUpdate(old, current));
    }

    public static TheoryData<string, Action<V1Service>, string?, string?> ChangeEvents => new()
    {
        { "type away from LoadBalancer", s => s.Spec.Type = "ClusterIP", "Type", "LoadBalancer -> ClusterIP" },
        { "class to one not served", s => s.Spec.LoadBalancerClass = "other.example/lb", "Type", "LoadBalancer -> LoadBalancer" },
        { "source ranges added", s => s.Spec.LoadBalancerSourceRanges = ["10.0.0.0/8", "192.0.2.0/24"], "LoadBalancerSourceRanges", "[] -> [10.0.0.0/8 192.0.2.0/24]" },
        { "port", s => s.Spec.Ports[0].Port = 81, null, null },
        { "requested IP", s => s.Spec.LoadBalancerIP = "192.0.2.7", "LoadbalancerIP", " -> 192.0.2.7" },
        { "external IP added", s => s.Spec.ExternalIPs = ["198.51.100.1"], "ExternalIP", "Count: 0 -> 1" },
        { "annotation", s => s.Metadata.Annotations["x"] = "y", null, null },
        { "uid", s => s.Metadata.Uid = "uid-new", "UID", "uid-web -> uid-new" },
        { "traffic policy", s => s.Spec.ExternalTrafficPolicy = "Local", "ExternalTrafficPolicy", "Cluster -> Local" },
        { "health check node port", s => s.Spec.HealthCheckNodePort = 32000, "HealthCheckNodePort", "0 -> 32000" },
        { "second IP family", s => s.Spec.IpFamilies = ["IPv4", "IPv6"], "IPFamilies", "Count: 0 -> 2" },
    };

    [Theory]
    [MemberData(nameof(ChangeEvents))]
    public void DescribeUpdate_UpstreamReasonAndMessage(string description, Action<V1Service> change, string? reason, string? message)
    {
        var old = Builders.LoadBalancer();
        var current = Builders.LoadBalancer();
        change(current);
        var described = _predicates.DescribeUpdate(old, current);
        Assert.NotNull(described);
        Assert.True(reason == described.Reason, $"{description}: reason {described.Reason}");
        Assert.Equal(message, described.Message);
    }

    [Fact]
    public void DescribeUpdate_ExternalIpReplaced_NamesTheNewValue()
    {
        var old = Builders.LoadBalancer();
        old.Spec.ExternalIPs = ["198.51.100.1", "198.51.100.2"];
        var current = Builders.LoadBalancer();
        current.Spec.ExternalIPs = ["198.51.100.1", "198.51.100.9"];
        Assert.Equal(new ServiceChange("ExternalIP", "Added: 198.51.100.9"), _predicates.DescribeUpdate(old, current));
    }

    [Fact]
    public void DescribeUpdate_SourceRangesAndRequestedIp_FirstChangeInUpstreamOrderWins()
    {
        var old = Builders.LoadBalancer();
        old.Spec.LoadBalancerSourceRanges = ["10.0.0.0/8"];
        old.Spec.LoadBalancerIP = "192.0.2.1";
        var current = Builders.LoadBalancer();
        current.Spec.LoadBalancerIP = "192.0.2.2";
        Assert.Equal(new ServiceChange("LoadBalancerSourceRanges", "[10.0.0.0/8] -> []"), _predicates.DescribeUpdate(old, current));
    }

    [Fact]
    public void DescribeUpdate_NothingThatMattersChanged_Null()
    {
        var old = Builders.LoadBalancer();
        var current = Builders.LoadBalancer();
        current.Metadata.Labels = new Dictionary<string, string> { ["a"] = "b" };
        current.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.1" }] } };
        Assert.Null(_predicates.DescribeUpdate(old, current));
    }

    [Fact]
    public void DescribeUpdate_TypeToLoadBalancer_TypeEvent()
    {
        var old = Builders.LoadBalancer();
        old.Spec.Type = "ClusterIP";
        var current = Builders.LoadBalancer();
        Assert.Equal(new ServiceChange("Type", "ClusterIP -> LoadBalancer"), _predicates.DescribeUpdate(old, current));
    }
}
