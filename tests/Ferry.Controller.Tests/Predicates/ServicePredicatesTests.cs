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
}
