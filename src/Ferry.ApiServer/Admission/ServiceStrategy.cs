using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// kube-apiserver's Service registry strategy (kubernetes <c>pkg/registry/core/service/strategy.go</c>): what
/// create, update and status-update do to the incoming object before validation.
/// </summary>
/// <remarks>Pure; mutates only the new object. Call after <see cref="ServiceDefaulter.ApplyDefaults"/>.</remarks>
public static class ServiceStrategy
{
    /// <summary>Create: the client's status is dropped and <c>clusterIPs</c> is synced from <c>clusterIP</c>.</summary>
    public static void PrepareForCreate(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        service["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
        NormalizeClusterIPs(service, null);
    }

    /// <summary>
    /// Update of the main resource: status is kept from the stored object, <c>clusterIP</c>/<c>clusterIPs</c> are
    /// reconciled, and fields that no longer apply after a type change are dropped (<c>dropTypeDependentFields</c>):
    /// cluster IPs and IP families when becoming ExternalName, node ports when leaving NodePort/LoadBalancer,
    /// <c>healthCheckNodePort</c> when no longer LoadBalancer+Local, <c>allocateLoadBalancerNodePorts</c> and
    /// <c>loadBalancerClass</c> when leaving LoadBalancer, <c>externalTrafficPolicy</c> when no longer externally
    /// accessible — each only if the client did not change it too. Leaving LoadBalancer clears
    /// <c>status.loadBalancer</c>.
    /// </summary>
    public static void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(old);
        updated["status"] = old["status"]?.DeepClone() ?? new JsonObject { ["loadBalancer"] = new JsonObject() };
        NormalizeClusterIPs(updated, old);
        DropTypeDependentFields(updated, old);
    }

    /// <summary>Status update: everything but <c>status</c> comes from the stored object's spec.</summary>
    public static void PrepareForStatusUpdate(JsonObject updated, JsonObject old)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(old);
        updated["spec"] = old["spec"]?.DeepClone();
    }

    /// <summary>
    /// A server without <c>ipMode</c> (1.28; 1.29 with the <c>LoadBalancerIPMode</c> gate off): the status decoder drops
    /// <c>status.loadBalancer.ingress[].ipMode</c>. Returns the dropped paths, e.g. <c>status.loadBalancer.ingress[0].ipMode</c>.
    /// </summary>
    public static IReadOnlyList<string> DropIngressIpMode(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var dropped = new List<string>();
        if (service["status"]?["loadBalancer"]?["ingress"] is JsonArray ingress)
        {
            for (var i = 0; i < ingress.Count; i++)
            {
                if (ingress[i] is JsonObject entry && entry.Remove("ipMode"))
                {
                    dropped.Add($"status.loadBalancer.ingress[{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}].ipMode");
                }
            }
        }

        return dropped;
    }

    /// <summary>Upstream <c>NormalizeClusterIPs</c>: keeps the singular and plural fields consistent.</summary>
    public static void NormalizeClusterIPs(JsonObject updated, JsonObject? old)
    {
        ArgumentNullException.ThrowIfNull(updated);
        var spec = ServiceFields.EnsureSpec(updated);
        var newIp = ServiceFields.GetString(spec, "clusterIP") ?? string.Empty;
        var newIps = ServiceFields.StringList(spec, "clusterIPs");
        if (old is null)
        {
            if (newIp.Length > 0 && newIps.Count == 0)
            {
                spec["clusterIPs"] = new JsonArray(newIp);
            }

            return;
        }

        var oldSpec = ServiceFields.Spec(old);
        var oldIp = ServiceFields.GetString(oldSpec, "clusterIP") ?? string.Empty;
        var oldIps = ServiceFields.StringList(oldSpec, "clusterIPs");
        if (oldIps.Count > 0 && newIps.Count == 0 && oldIp == newIp)
        {
            spec["clusterIPs"] = ToArray(oldIps);
            newIps = oldIps;
        }

        if (oldIp != newIp)
        {
            var same = oldIps.SequenceEqual(newIps);
            if (oldIp.Length > 0 && newIp.Length == 0)
            {
                if (same)
                {
                    spec.Remove("clusterIPs");
                }
            }
            else if (same)
            {
                spec["clusterIPs"] = new JsonArray(newIp);
            }
        }
    }

    private static void DropTypeDependentFields(JsonObject updated, JsonObject old)
    {
        var spec = ServiceFields.EnsureSpec(updated);
        var oldSpec = ServiceFields.Spec(old) ?? [];

        if (ServiceFields.NeedsClusterIP(old) && !ServiceFields.NeedsClusterIP(updated))
        {
            if (ServiceFields.ClusterIPs(old).SequenceEqual(ServiceFields.ClusterIPs(updated))
                && ServiceFields.GetString(oldSpec, "clusterIP") == ServiceFields.GetString(spec, "clusterIP"))
            {
                spec.Remove("clusterIP");
                spec.Remove("clusterIPs");
            }

            if (ServiceFields.StringList(oldSpec, "ipFamilies").SequenceEqual(ServiceFields.StringList(spec, "ipFamilies")))
            {
                spec.Remove("ipFamilies");
            }

            if (ServiceFields.GetString(oldSpec, "ipFamilyPolicy") == ServiceFields.GetString(spec, "ipFamilyPolicy"))
            {
                spec.Remove("ipFamilyPolicy");
            }
        }

        if (ServiceFields.NeedsNodePort(old) && !ServiceFields.NeedsNodePort(updated))
        {
            var oldPorts = ServiceFields.Ports(old).Select(p => ServiceFields.GetInteger(p, "nodePort") ?? 0).ToList();
            var newPorts = ServiceFields.Ports(updated).Select(p => ServiceFields.GetInteger(p, "nodePort") ?? 0).ToList();
            if (oldPorts.SequenceEqual(newPorts))
            {
                foreach (var port in ServiceFields.Ports(updated))
                {
                    port.Remove("nodePort");
                }
            }
        }

        if (ServiceFields.NeedsHealthCheck(old) && !ServiceFields.NeedsHealthCheck(updated)
            && ServiceFields.GetInteger(oldSpec, "healthCheckNodePort") == ServiceFields.GetInteger(spec, "healthCheckNodePort"))
        {
            spec.Remove("healthCheckNodePort");
        }

        var wasLoadBalancer = ServiceFields.Type(old) == ServiceFields.LoadBalancer;
        var isLoadBalancer = ServiceFields.Type(updated) == ServiceFields.LoadBalancer;
        if (wasLoadBalancer && !isLoadBalancer)
        {
            var oldAllocate = ServiceFields.GetBoolean(oldSpec, "allocateLoadBalancerNodePorts");
            if (oldAllocate is not null && oldAllocate == ServiceFields.GetBoolean(spec, "allocateLoadBalancerNodePorts"))
            {
                spec.Remove("allocateLoadBalancerNodePorts");
            }

            var oldClass = ServiceFields.GetString(oldSpec, "loadBalancerClass");
            if (oldClass is not null && oldClass == ServiceFields.GetString(spec, "loadBalancerClass"))
            {
                spec.Remove("loadBalancerClass");
            }
        }

        if (ServiceFields.ExternallyAccessible(old) && !ServiceFields.ExternallyAccessible(updated)
            && ServiceFields.GetString(oldSpec, "externalTrafficPolicy") == ServiceFields.GetString(spec, "externalTrafficPolicy"))
        {
            spec.Remove("externalTrafficPolicy");
        }

        if (!isLoadBalancer)
        {
            if (updated["status"] is JsonObject status)
            {
                status["loadBalancer"] = new JsonObject();
            }
            else
            {
                updated["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
            }
        }
    }

    private static JsonArray ToArray(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
