using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.Contracts.Addressing;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// Service validation as kube-apiserver does it (kubernetes <c>pkg/apis/core/validation/validation.go</c>
/// <c>ValidateService</c>, <c>ValidateServiceUpdate</c>, <c>ValidateServiceStatusUpdate</c>) with upstream's
/// field paths and messages. Run it after defaulting, the strategy and allocation.
/// </summary>
/// <remarks>Pure and thread-safe. Single-stack IPv4 cluster semantics for IP families.</remarks>
public static partial class ServiceValidator
{
    /// <summary>Upstream <c>MaxClientIPServiceAffinitySeconds</c> (one day).</summary>
    public const int MaxClientIPTimeoutSeconds = 86400;

    /// <summary>Upstream's message for a value that is not an IP address (parsed by <see cref="NetworkText.TryParseAddress"/>).</summary>
    public const string InvalidIpMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

    /// <summary>Upstream's message for a value that is not a CIDR (parsed by <see cref="NetworkText.TryParseCidr"/>).</summary>
    public const string InvalidCidrMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

    private static readonly string[] _protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] _types = [ServiceFields.ClusterIP, ServiceFields.ExternalName, ServiceFields.LoadBalancer, ServiceFields.NodePort];
    private static readonly string[] _affinities = ["ClientIP", "None"];
    private static readonly string[] _trafficPolicies = ["Cluster", "Local"];
    private static readonly string[] _families = ["IPv4", "IPv6"];
    private static readonly string[] _familyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
    private static readonly string[] _ipModes = ["Proxy", "VIP"];

    /// <summary>Validates a Service for create (<paramref name="old"/> null) or update.</summary>
    public static IReadOnlyList<FieldError> Validate(JsonObject service, JsonObject? old)
    {
        ArgumentNullException.ThrowIfNull(service);
        var errors = new List<FieldError>();
        if (old is not null)
        {
            errors.AddRange(ObjectMetaValidator.ValidateUpdate(service, old));
            errors.AddRange(ValidateClusterIPsUpdate(old, service));
            errors.AddRange(ValidateIPFamiliesUpdate(old, service));
            errors.AddRange(ValidateLoadBalancerClass(old, service));
            if (ServiceFields.NeedsHealthCheck(old) && ServiceFields.NeedsHealthCheck(service)
                && ServiceFields.GetInteger(ServiceFields.Spec(old), "healthCheckNodePort") != ServiceFields.GetInteger(ServiceFields.Spec(service), "healthCheckNodePort"))
            {
                errors.Add(FieldErrors.Forbidden("spec.healthCheckNodePort", "field is immutable"));
            }
        }

        errors.AddRange(ValidateService(service));
        return errors;
    }

    /// <summary>Validates a status write (<c>ValidateServiceStatusUpdate</c>).</summary>
    /// <param name="service">The updated Service.</param>
    /// <param name="old">The stored Service.</param>
    /// <param name="hasIpMode">False for a server without <c>ingress[].ipMode</c> (before 1.30): it is not required.</param>
    public static IReadOnlyList<FieldError> ValidateStatus(JsonObject service, JsonObject old, bool hasIpMode = true)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(old);
        var errors = new List<FieldError>(ObjectMetaValidator.ValidateUpdate(service, old));
        errors.AddRange(ValidateLoadBalancerStatus(service, hasIpMode));
        return errors;
    }

    private static List<FieldError> ValidateService(JsonObject service)
    {
        var errors = new List<FieldError>(ObjectMetaValidator.Validate(service, namespaced: true, NameValidation.IsDns1035Label));
        var spec = ServiceFields.Spec(service) ?? [];
        var type = ServiceFields.Type(service);
        var ports = ServiceFields.Ports(service).ToList();
        var headless = ServiceFields.IsHeadless(service);

        if (ports.Count == 0 && !headless && type != ServiceFields.ExternalName)
        {
            errors.Add(FieldErrors.Required("spec.ports"));
        }

        switch (type)
        {
            case ServiceFields.LoadBalancer when headless:
                errors.Add(FieldErrors.Invalid("spec.clusterIPs[0]", ServiceFields.None, "may not be set to 'None' for LoadBalancer services"));
                break;
            case ServiceFields.NodePort when headless:
                errors.Add(FieldErrors.Invalid("spec.clusterIPs[0]", ServiceFields.None, "may not be set to 'None' for NodePort services"));
                break;
            case ServiceFields.ExternalName:
                if (ServiceFields.StringList(spec, "clusterIPs").Count > 0)
                {
                    errors.Add(FieldErrors.Forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
                }

                if (ServiceFields.StringList(spec, "ipFamilies").Count > 0)
                {
                    errors.Add(FieldErrors.Forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
                }

                if (spec["ipFamilyPolicy"] is not null)
                {
                    errors.Add(FieldErrors.Forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
                }

                var cname = (ServiceFields.GetString(spec, "externalName") ?? string.Empty).TrimEnd('.');
                if (cname.Length > 0)
                {
                    foreach (var message in NameValidation.IsDns1123Subdomain(cname))
                    {
                        errors.Add(FieldErrors.Invalid("spec.externalName", cname, message));
                    }
                }
                else
                {
                    errors.Add(FieldErrors.Required("spec.externalName"));
                }

                break;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            errors.AddRange(ValidatePort(ports[i], ports.Count > 1, names, $"spec.ports[{Index(i)}]"));
        }

        if (spec["selector"] is JsonObject selector)
        {
            errors.AddRange(ObjectMetaValidator.ValidateLabels(selector, "spec.selector"));
        }

        var affinity = ServiceFields.GetString(spec, "sessionAffinity") ?? string.Empty;
        if (affinity.Length == 0)
        {
            errors.Add(FieldErrors.Required("spec.sessionAffinity"));
        }
        else if (!_affinities.Contains(affinity))
        {
            errors.Add(FieldErrors.NotSupported("spec.sessionAffinity", spec["sessionAffinity"], _affinities));
        }

        if (affinity == "ClientIP")
        {
            errors.AddRange(ValidateClientIPAffinity(spec["sessionAffinityConfig"] as JsonObject));
        }
        else if (affinity == "None" && spec["sessionAffinityConfig"] is not null)
        {
            errors.Add(FieldErrors.Forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
        }

        errors.AddRange(ValidateClusterIPFields(service));

        var externalIps = ServiceFields.StringList(spec, "externalIPs");
        for (var i = 0; i < externalIps.Count; i++)
        {
            errors.AddRange(ValidateExternalIp(externalIps[i], $"spec.externalIPs[{Index(i)}]"));
        }

        if (type.Length == 0)
        {
            errors.Add(FieldErrors.Required("spec.type"));
        }
        else if (!_types.Contains(type))
        {
            errors.Add(FieldErrors.NotSupported("spec.type", spec["type"], _types));
        }

        if (type == ServiceFields.ClusterIP)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if ((ServiceFields.GetInteger(ports[i], "nodePort") ?? 0) != 0)
                {
                    errors.Add(FieldErrors.Forbidden($"spec.ports[{Index(i)}].nodePort", "may not be used when `type` is 'ClusterIP'"));
                }
            }
        }

        var nodePorts = new HashSet<(string, long)>();
        for (var i = 0; i < ports.Count; i++)
        {
            var nodePort = ServiceFields.GetInteger(ports[i], "nodePort") ?? 0;
            if (nodePort != 0 && !nodePorts.Add((ServiceFields.GetString(ports[i], "protocol") ?? string.Empty, nodePort)))
            {
                errors.Add(FieldErrors.Duplicate($"spec.ports[{Index(i)}].nodePort", nodePort));
            }
        }

        var servicePorts = new HashSet<(string, long)>();
        for (var i = 0; i < ports.Count; i++)
        {
            var protocol = ServiceFields.GetString(ports[i], "protocol") ?? string.Empty;
            var port = ServiceFields.GetInteger(ports[i], "port") ?? 0;
            if (!servicePorts.Add((protocol, port)))
            {
                // Upstream marshals the internal core.ServicePort key (no json tags, so Go field names).
                errors.Add(FieldErrors.Duplicate($"spec.ports[{Index(i)}]", new JsonObject
                {
                    ["Name"] = string.Empty,
                    ["Protocol"] = protocol,
                    ["AppProtocol"] = null,
                    ["Port"] = port,
                    ["TargetPort"] = 0,
                    ["NodePort"] = 0,
                }));
            }
        }

        errors.AddRange(ValidateSourceRanges(service, type));

        if (spec["allocateLoadBalancerNodePorts"] is not null && type != ServiceFields.LoadBalancer)
        {
            errors.Add(FieldErrors.Forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
        }

        if (type == ServiceFields.LoadBalancer && spec["allocateLoadBalancerNodePorts"] is null)
        {
            // sic: upstream's path has no "spec." prefix.
            errors.Add(FieldErrors.Required("allocateLoadBalancerNodePorts"));
        }

        errors.AddRange(ValidateLoadBalancerClass(null, service));
        errors.AddRange(ValidateExternalTrafficPolicy(service));

        var itp = spec["internalTrafficPolicy"];
        if (itp is null)
        {
            if (type is ServiceFields.NodePort or ServiceFields.LoadBalancer or ServiceFields.ClusterIP)
            {
                errors.Add(FieldErrors.Required("spec.internalTrafficPolicy"));
            }
        }
        else if (!_trafficPolicies.Contains(ServiceFields.GetString(spec, "internalTrafficPolicy")))
        {
            errors.Add(FieldErrors.NotSupported("spec.internalTrafficPolicy", itp, _trafficPolicies));
        }

        if (spec["trafficDistribution"] is JsonNode distribution && ServiceFields.GetString(spec, "trafficDistribution") != "PreferClose")
        {
            errors.Add(FieldErrors.NotSupported("spec.trafficDistribution", distribution, "PreferClose"));
        }

        return errors;
    }

    private static List<FieldError> ValidateClientIPAffinity(JsonObject? config)
    {
        const string when = "when session affinity type is ClientIP";
        if (config is null)
        {
            return [FieldErrors.Required("spec.sessionAffinityConfig", when)];
        }

        if (config["clientIP"] is not JsonObject clientIp)
        {
            return [FieldErrors.Required("spec.sessionAffinityConfig.clientIP", when)];
        }

        if (clientIp["timeoutSeconds"] is null)
        {
            return [FieldErrors.Required("spec.sessionAffinityConfig.clientIP.timeoutSeconds", when)];
        }

        var timeout = ServiceFields.GetInteger(clientIp, "timeoutSeconds") ?? 0;
        return timeout is <= 0 or > MaxClientIPTimeoutSeconds
            ? [FieldErrors.Invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                $"must be greater than 0 and less than {MaxClientIPTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}")]
            : [];
    }

    private static List<FieldError> ValidateSourceRanges(JsonObject service, string type)
    {
        var errors = new List<FieldError>();
        var spec = ServiceFields.Spec(service) ?? [];
        var ranges = ServiceFields.StringList(spec, "loadBalancerSourceRanges");
        const string onlyLb = "may only be used when `type` is 'LoadBalancer'";
        if (ranges.Count > 0)
        {
            // sic: upstream's path has a capital L.
            const string path = "spec.LoadBalancerSourceRanges";
            if (type != ServiceFields.LoadBalancer)
            {
                errors.Add(FieldErrors.Forbidden(path, onlyLb));
            }

            for (var i = 0; i < ranges.Count; i++)
            {
                var value = ranges[i].Trim();
                if (!NetworkText.TryParseCidr(value, out _, out _))
                {
                    errors.Add(FieldErrors.Invalid($"{path}[{Index(i)}]", value, InvalidCidrMessage));
                }
            }
        }
        else if (ServiceFields.GetString(service["metadata"]?["annotations"] as JsonObject, LoadBalancerSourceRangesAnnotation) is { } annotation)
        {
            var path = $"metadata.annotations[{LoadBalancerSourceRangesAnnotation}]";
            if (type != ServiceFields.LoadBalancer)
            {
                errors.Add(FieldErrors.Forbidden(path, onlyLb));
            }

            var trimmed = annotation.Trim();
            if (trimmed.Length > 0)
            {
                foreach (var part in trimmed.Split(','))
                {
                    var value = part.Trim();
                    if (!NetworkText.TryParseCidr(value, out _, out _))
                    {
                        errors.Add(FieldErrors.Invalid(path, value, InvalidCidrMessage));
                    }
                }
            }
        }

        return errors;
    }

    /// <summary>The legacy annotation that carries source ranges when the field is empty.</summary>
    public const string LoadBalancerSourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";

    private static List<FieldError> ValidateLoadBalancerClass(JsonObject? old, JsonObject service)
    {
        var errors = new List<FieldError>();
        var spec = ServiceFields.Spec(service);
        var value = ServiceFields.GetString(spec, "loadBalancerClass");
        var isLb = ServiceFields.Type(service) == ServiceFields.LoadBalancer;
        if (old is not null)
        {
            if (ServiceFields.Type(old) == ServiceFields.LoadBalancer && isLb
                && ServiceFields.GetString(ServiceFields.Spec(old), "loadBalancerClass") != value)
            {
                errors.Add(FieldErrors.Invalid("spec.loadBalancerClass", value is null ? null : JsonValue.Create(value), "may not change once set"));
            }

            return errors;
        }

        if (isLb)
        {
            if (value is not null)
            {
                foreach (var message in NameValidation.IsQualifiedName(value))
                {
                    errors.Add(FieldErrors.Invalid("spec.loadBalancerClass", value, message));
                }
            }
        }
        else if (spec?["loadBalancerClass"] is not null)
        {
            errors.Add(FieldErrors.Forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
        }

        return errors;
    }

    private static List<FieldError> ValidateExternalTrafficPolicy(JsonObject service)
    {
        var errors = new List<FieldError>();
        var spec = ServiceFields.Spec(service) ?? [];
        var policy = ServiceFields.GetString(spec, "externalTrafficPolicy") ?? string.Empty;
        if (!ServiceFields.ExternallyAccessible(service))
        {
            if (policy.Length != 0)
            {
                errors.Add(FieldErrors.Invalid("spec.externalTrafficPolicy", policy, "may only be set for externally-accessible services"));
            }
        }
        else if (policy.Length == 0)
        {
            errors.Add(FieldErrors.Required("spec.externalTrafficPolicy"));
        }
        else if (!_trafficPolicies.Contains(policy))
        {
            errors.Add(FieldErrors.NotSupported("spec.externalTrafficPolicy", policy, _trafficPolicies));
        }

        var healthCheck = ServiceFields.GetInteger(spec, "healthCheckNodePort") ?? 0;
        if (!ServiceFields.NeedsHealthCheck(service))
        {
            if (healthCheck != 0)
            {
                errors.Add(FieldErrors.Invalid("spec.healthCheckNodePort", healthCheck,
                    "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
            }
        }
        else if (healthCheck == 0)
        {
            errors.Add(FieldErrors.Required("spec.healthCheckNodePort"));
        }
        else if (healthCheck is < 1 or > 65535)
        {
            errors.Add(FieldErrors.Invalid("spec.healthCheckNodePort", healthCheck, PortRangeMessage));
        }

        return errors;
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
