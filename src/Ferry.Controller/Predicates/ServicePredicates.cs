using k8s.Models;

namespace Ferry.Controller.Predicates;

/// <summary>Which Services the controller owns and which changes need a sync (upstream <c>controller.go</c>).</summary>
public sealed class ServicePredicates
{
    private readonly ClassSelection _classes;

    public ServicePredicates(ClassSelection classes) => _classes = classes;

    /// <summary>Upstream's <c>wantsLoadBalancer</c>: type LoadBalancer and a class this controller serves.</summary>
    public bool WantsLoadBalancer(V1Service service) =>
        service.Spec?.Type == "LoadBalancer" && _classes.Serves(service.Spec.LoadBalancerClass);

    /// <summary>Upstream's <c>needsCleanup</c>: it carries our finalizer and is being deleted or is no longer a LoadBalancer.</summary>
    public static bool NeedsCleanup(V1Service service) =>
        HasCleanupFinalizer(service) && (service.Metadata?.DeletionTimestamp is not null || service.Spec?.Type != "LoadBalancer");

    public static bool HasCleanupFinalizer(V1Service service) =>
        service.Metadata?.Finalizers?.Contains(FerryAnnotations.CleanupFinalizer) == true;

    /// <summary>Whether a new Service needs a sync (upstream's AddFunc filter).</summary>
    public bool ShouldEnqueueAdded(V1Service service) => WantsLoadBalancer(service) || NeedsCleanup(service);

    /// <summary>Whether an update needs a sync (upstream's UpdateFunc filter: <c>needsUpdate || needsCleanup</c>).</summary>
    public bool ShouldEnqueueUpdated(V1Service old, V1Service current) => NeedsUpdate(old, current) || NeedsCleanup(current);

    /// <summary>Upstream's <c>needsUpdate(old, new)</c>, in its order.</summary>
    public bool NeedsUpdate(V1Service old, V1Service current)
    {
        var oldWants = WantsLoadBalancer(old);
        var newWants = WantsLoadBalancer(current);
        if (!oldWants && !newWants)
        {
            return false;
        }

        if (oldWants != newWants)
        {
            return true;
        }

        var o = old.Spec!;
        var n = current.Spec!;
        return !SameList(o.LoadBalancerSourceRanges, n.LoadBalancerSourceRanges)
            || !SamePorts(o.Ports, n.Ports)
            || o.SessionAffinity != n.SessionAffinity
            || o.SessionAffinityConfig?.ClientIP?.TimeoutSeconds != n.SessionAffinityConfig?.ClientIP?.TimeoutSeconds
            || o.LoadBalancerIP != n.LoadBalancerIP
            || !SameList(o.ExternalIPs, n.ExternalIPs)
            || !SameMap(old.Metadata?.Annotations, current.Metadata?.Annotations)
            || old.Metadata?.Uid != current.Metadata?.Uid
            || o.ExternalTrafficPolicy != n.ExternalTrafficPolicy
            || o.HealthCheckNodePort != n.HealthCheckNodePort
            || (o.IpFamilies?.Count ?? 0) != (n.IpFamilies?.Count ?? 0);
    }

    private static bool SamePorts(IList<V1ServicePort>? a, IList<V1ServicePort>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        for (var i = 0; i < (a?.Count ?? 0); i++)
        {
            var x = a![i];
            var y = b![i];
            if (x.Name != y.Name || x.Protocol != y.Protocol || x.Port != y.Port || x.NodePort != y.NodePort
                || x.TargetPort?.Value != y.TargetPort?.Value || x.AppProtocol != y.AppProtocol)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameList(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? []);

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
