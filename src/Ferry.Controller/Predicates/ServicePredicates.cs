using System.Globalization;
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

    /// <summary>Upstream's <c>needsUpdate(old, new)</c>.</summary>
    public bool NeedsUpdate(V1Service old, V1Service current) => DescribeUpdate(old, current) is not null;

    /// <summary>
    /// Upstream's <c>needsUpdate(old, new)</c>, in its order: the first change that needs a sync, with the
    /// Event upstream records for it; null when nothing that matters changed.
    /// </summary>
    public ServiceChange? DescribeUpdate(V1Service old, V1Service current)
    {
        var oldWants = WantsLoadBalancer(old);
        var newWants = WantsLoadBalancer(current);
        if (!oldWants && !newWants)
        {
            return null;
        }

        var o = old.Spec ?? new V1ServiceSpec();
        var n = current.Spec ?? new V1ServiceSpec();
        if (oldWants != newWants)
        {
            return Changed("Type", o.Type, n.Type);
        }

        if (newWants && !SameList(o.LoadBalancerSourceRanges, n.LoadBalancerSourceRanges))
        {
            return Changed("LoadBalancerSourceRanges", GoFormat.List(o.LoadBalancerSourceRanges), GoFormat.List(n.LoadBalancerSourceRanges));
        }

        if (!SamePorts(o.Ports, n.Ports)
            || o.SessionAffinity != n.SessionAffinity
            || o.SessionAffinityConfig?.ClientIP?.TimeoutSeconds != n.SessionAffinityConfig?.ClientIP?.TimeoutSeconds)
        {
            return ServiceChange.Silent;
        }

        if (o.LoadBalancerIP != n.LoadBalancerIP)
        {
            return Changed("LoadbalancerIP", o.LoadBalancerIP, n.LoadBalancerIP);
        }

        var oldExternal = o.ExternalIPs ?? [];
        var newExternal = n.ExternalIPs ?? [];
        if (oldExternal.Count != newExternal.Count)
        {
            return new ServiceChange("ExternalIP", string.Create(CultureInfo.InvariantCulture, $"Count: {oldExternal.Count} -> {newExternal.Count}"));
        }

        for (var i = 0; i < oldExternal.Count; i++)
        {
            if (oldExternal[i] != newExternal[i])
            {
                return new ServiceChange("ExternalIP", $"Added: {newExternal[i]}");
            }
        }

        if (!SameMap(old.Metadata?.Annotations, current.Metadata?.Annotations))
        {
            return ServiceChange.Silent;
        }

        if (old.Metadata?.Uid != current.Metadata?.Uid)
        {
            return Changed("UID", old.Metadata?.Uid, current.Metadata?.Uid);
        }

        if (o.ExternalTrafficPolicy != n.ExternalTrafficPolicy)
        {
            return Changed("ExternalTrafficPolicy", o.ExternalTrafficPolicy, n.ExternalTrafficPolicy);
        }

        if ((o.HealthCheckNodePort ?? 0) != (n.HealthCheckNodePort ?? 0))
        {
            return Changed("HealthCheckNodePort", GoFormat.Int(o.HealthCheckNodePort), GoFormat.Int(n.HealthCheckNodePort));
        }

        var oldFamilies = o.IpFamilies?.Count ?? 0;
        var newFamilies = n.IpFamilies?.Count ?? 0;
        return oldFamilies != newFamilies
            ? new ServiceChange("IPFamilies", string.Create(CultureInfo.InvariantCulture, $"Count: {oldFamilies} -> {newFamilies}"))
            : null;
    }

    /// <summary>Upstream's <c>"%v -> %v"</c>; Go prints an unset string as nothing.</summary>
    private static ServiceChange Changed(string reason, string? old, string? current) => new(reason, $"{old} -> {current}");

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
