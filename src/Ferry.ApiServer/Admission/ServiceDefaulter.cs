using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// Service defaulting as kube-apiserver does it on decode (<c>SetDefaults_Service</c>, kubernetes
/// <c>pkg/apis/core/v1/defaults.go</c>) plus the IP-family defaults its allocator applies on a single-stack
/// IPv4 cluster (<c>ipFamilyPolicy: SingleStack</c>, <c>ipFamilies: [IPv4]</c>).
/// </summary>
/// <remarks>Pure; mutates only the object passed in. Idempotent.</remarks>
public static class ServiceDefaulter
{
    /// <summary>Upstream <c>DefaultClientIPServiceAffinitySeconds</c> (3 hours).</summary>
    public const int DefaultClientIPTimeoutSeconds = 10800;

    /// <summary>Fills every defaulted field that is missing.</summary>
    public static void ApplyDefaults(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var spec = ServiceFields.EnsureSpec(service);

        if (string.IsNullOrEmpty(ServiceFields.GetString(spec, "sessionAffinity")))
        {
            spec["sessionAffinity"] = "None";
        }

        if (ServiceFields.GetString(spec, "sessionAffinity") == "None")
        {
            spec.Remove("sessionAffinityConfig");
        }
        else if (ServiceFields.GetString(spec, "sessionAffinity") == "ClientIP"
            && (spec["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"] is null))
        {
            spec["sessionAffinityConfig"] = new JsonObject
            {
                ["clientIP"] = new JsonObject { ["timeoutSeconds"] = DefaultClientIPTimeoutSeconds },
            };
        }

        if (string.IsNullOrEmpty(ServiceFields.GetString(spec, "type")))
        {
            spec["type"] = ServiceFields.ClusterIP;
        }

        foreach (var port in ServiceFields.Ports(service))
        {
            if (string.IsNullOrEmpty(ServiceFields.GetString(port, "protocol")))
            {
                port["protocol"] = "TCP";
            }

            var target = port["targetPort"];
            var unset = target is null
                || (target is JsonValue v && (ServiceFields.AsInteger(v) == 0
                    || (v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0)));
            if (unset && port["port"] is JsonValue portValue)
            {
                port["targetPort"] = portValue.DeepClone();
            }
        }

        if (ServiceFields.ExternallyAccessible(service) && string.IsNullOrEmpty(ServiceFields.GetString(spec, "externalTrafficPolicy")))
        {
            spec["externalTrafficPolicy"] = "Cluster";
        }

        var type = ServiceFields.Type(service);
        if (spec["internalTrafficPolicy"] is null && type is ServiceFields.ClusterIP or ServiceFields.NodePort or ServiceFields.LoadBalancer)
        {
            spec["internalTrafficPolicy"] = "Cluster";
        }

        if (type == ServiceFields.LoadBalancer && spec["allocateLoadBalancerNodePorts"] is null)
        {
            spec["allocateLoadBalancerNodePorts"] = true;
        }

        if (type != ServiceFields.ExternalName)
        {
            if (spec["ipFamilyPolicy"] is null)
            {
                spec["ipFamilyPolicy"] = "SingleStack";
            }

            if (spec["ipFamilies"] is not JsonArray { Count: > 0 })
            {
                spec["ipFamilies"] = new JsonArray("IPv4");
            }
        }

        DefaultStatus(service);
    }

    /// <summary>
    /// Status defaults: <c>status.loadBalancer</c> exists, and each ingress with an <c>ip</c> gets
    /// <c>ipMode: VIP</c> (the <c>LoadBalancerIPMode</c> default, GA in 1.32). Also used on status writes.
    /// </summary>
    /// <param name="service">The Service.</param>
    /// <param name="hasIpMode">False for a server without <c>ipMode</c> (before 1.30): nothing is added to the ingress.</param>
    public static void DefaultStatus(JsonObject service, bool hasIpMode = true)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service["status"] is not JsonObject status)
        {
            status = [];
            service["status"] = status;
        }

        if (status["loadBalancer"] is not JsonObject loadBalancer)
        {
            loadBalancer = [];
            status["loadBalancer"] = loadBalancer;
        }

        if (hasIpMode && ServiceFields.Type(service) == ServiceFields.LoadBalancer && loadBalancer["ingress"] is JsonArray ingress)
        {
            foreach (var entry in ingress.OfType<JsonObject>())
            {
                if (!string.IsNullOrEmpty(ServiceFields.GetString(entry, "ip")) && entry["ipMode"] is null)
                {
                    entry["ipMode"] = "VIP";
                }
            }
        }
    }
}
