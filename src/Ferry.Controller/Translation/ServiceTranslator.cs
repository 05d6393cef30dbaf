using System.Globalization;
using System.Net;
using Ferry.Contracts;
using Ferry.Contracts.Addressing;
using k8s.Models;

namespace Ferry.Controller.Translation;

/// <summary>
/// Turns a Service, its external addresses, the eligible nodes and its EndpointSlices into a
/// <see cref="LoadBalancerSpec"/>. Pure: no I/O, same input, same output.
/// </summary>
public sealed class ServiceTranslator
{
    private readonly TranslationOptions _options;

    public ServiceTranslator(TranslationOptions options) => _options = options;

    /// <summary>
    /// Where this Service's traffic goes: the annotation, else endpoints when it has no node ports,
    /// else the default. Decided once per sync; the caller passes it to <see cref="Translate"/>
    /// with the nodes or EndpointSlices it gathered for it.
    /// </summary>
    public TargetMode TargetsFor(V1Service service)
    {
        if (service.Metadata?.Annotations?.TryGetValue(FerryAnnotations.Targets, out var value) == true
            && TargetModeNames.TryParse(value.Trim(), out var mode))
        {
            return service.Spec?.AllocateLoadBalancerNodePorts == false ? TargetMode.Endpoints : mode;
        }

        return service.Spec?.AllocateLoadBalancerNodePorts == false ? TargetMode.Endpoints : _options.DefaultTargets;
    }

    /// <param name="service">The Service (read only).</param>
    /// <param name="targets">Its target mode, from <see cref="TargetsFor"/>.</param>
    /// <param name="addresses">Its external IPs, from the allocator.</param>
    /// <param name="eligibleNodes">Nodes that passed <see cref="Predicates.NodePredicates.IsEligible"/>.</param>
    /// <param name="endpointSlices">The Service's EndpointSlices (label kubernetes.io/service-name).</param>
    public TranslationResult Translate(
        V1Service service,
        TargetMode targets,
        IReadOnlyList<IPAddress> addresses,
        IReadOnlyList<V1Node> eligibleNodes,
        IReadOnlyList<V1EndpointSlice> endpointSlices)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var spec = service.Spec ?? new V1ServiceSpec();
        var annotations = service.Metadata?.Annotations ?? new Dictionary<string, string>();

        if (annotations.TryGetValue(FerryAnnotations.Targets, out var targetText) && !TargetModeNames.TryParse(targetText.Trim(), out _))
        {
            errors.Add($"annotation {FerryAnnotations.Targets}: unsupported value \"{targetText}\": supported values: {Quoted(TargetModeNames.All)}");
        }

        var proxyProtocol = ProxyProtocolVersion.None;
        if (annotations.TryGetValue(FerryAnnotations.ProxyProtocol, out var proxyText) && proxyText.Trim().Length > 0)
        {
            // "none" is accepted but not advertised: the annotation's absence says it.
            var none = ProxyProtocolVersionNames.ToName(ProxyProtocolVersion.None);
            proxyProtocol = ProxyProtocolVersionNames.TryParse(proxyText.Trim(), out var version)
                ? version
                : Invalid(errors, $"annotation {FerryAnnotations.ProxyProtocol}: unsupported value \"{proxyText}\": supported values: {Quoted(ProxyProtocolVersionNames.All.Where(n => n != none))}");
        }

        var algorithm = spec.SessionAffinity == "ClientIP" ? BalancingAlgorithm.ClientIpHash : BalancingAlgorithm.RoundRobin;
        if (annotations.TryGetValue(FerryAnnotations.Algorithm, out var algorithmText))
        {
            if (BalancingAlgorithmNames.TryParse(algorithmText.Trim(), out var parsed))
            {
                algorithm = parsed;
            }
            else
            {
                errors.Add($"annotation {FerryAnnotations.Algorithm}: unsupported value \"{algorithmText}\": supported values: {Quoted(BalancingAlgorithmNames.All)}");
            }
        }

        SessionAffinitySpec? affinity = null;
        if (spec.SessionAffinity == "ClientIP")
        {
            var seconds = spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? (int)SessionAffinitySpec.DefaultTimeout.TotalSeconds;
            affinity = new SessionAffinitySpec(TimeSpan.FromSeconds(seconds));
        }

        var sourceRanges = ParseSourceRanges(spec, annotations, errors);

        var listeners = new List<ListenerSpec>();
        foreach (var port in spec.Ports ?? [])
        {
            var protocol = port.Protocol ?? "TCP";
            if (protocol is not ("TCP" or "UDP"))
            {
                warnings.Add($"port {port.Port}/{protocol}: protocol {protocol} is not supported by Ferry; the port is not served");
                continue;
            }

            var transport = protocol == "UDP" ? TransportProtocol.Udp : TransportProtocol.Tcp;
            var listener = targets == TargetMode.Nodes
                ? NodeListener(service, port, transport, eligibleNodes, errors)
                : EndpointListener(port, transport, endpointSlices);
            if (listener is not null)
            {
                listeners.Add(listener);
            }
        }

        if (errors.Count > 0)
        {
            return new TranslationResult(null, errors, warnings);
        }

        var loadBalancer = new LoadBalancerSpec
        {
            Key = ServiceKeys.Of(service).LoadBalancer,
            Addresses = [.. addresses],
            Listeners = [.. listeners],
            Settings = new LoadBalancerSettings
            {
                Algorithm = algorithm,
                SessionAffinity = affinity,
                SourceRanges = [.. sourceRanges],
                ProxyProtocol = proxyProtocol,
                DrainTimeout = _options.DrainTimeout,
            },
        };
        return new TranslationResult(loadBalancer, errors, warnings);
    }

    private ListenerSpec? NodeListener(V1Service service, V1ServicePort port, TransportProtocol transport, IReadOnlyList<V1Node> nodes, List<string> errors)
    {
        if (port.NodePort is not { } nodePort || nodePort <= 0)
        {
            errors.Add($"port {port.Port}/{port.Protocol ?? "TCP"} has no nodePort yet; cannot target nodes");
            return null;
        }

        var backends = new List<BackendSpec>();
        foreach (var node in nodes.OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
        {
            if (NodeAddress(node) is { } address)
            {
                backends.Add(new BackendSpec(address, nodePort, 1, node.Metadata?.Name));
            }
        }

        HealthCheckSpec? check;
        if (service.Spec?.ExternalTrafficPolicy == "Local" && service.Spec.HealthCheckNodePort is { } healthPort and > 0)
        {
            // kube-proxy answers 200 on healthCheckNodePort only on nodes with a ready local endpoint.
            check = Check(HealthCheckType.Http, healthPort);
        }
        else if (_options.ClusterPolicyChecksNodePort)
        {
            // A TCP connect cannot tell whether a UDP NodePort works, so UDP ports go unchecked here.
            check = transport == TransportProtocol.Udp ? null : Check(HealthCheckType.Tcp, null);
        }
        else
        {
            check = Check(HealthCheckType.Http, _options.KubeProxyHealthzPort);
        }

        return new ListenerSpec { Protocol = transport, Port = port.Port, Backends = [.. backends], HealthCheck = check };
    }

    private ListenerSpec EndpointListener(V1ServicePort port, TransportProtocol transport, IReadOnlyList<V1EndpointSlice> slices)
    {
        var protocol = transport == TransportProtocol.Udp ? "UDP" : "TCP";
        var backends = new SortedDictionary<string, BackendSpec>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            var slicePort = slice.Ports?.FirstOrDefault(p => (p.Name ?? string.Empty) == (port.Name ?? string.Empty) && (p.Protocol ?? "TCP") == protocol);
            if (slicePort?.Port is not { } targetPort)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                // Ready unset means ready (EndpointSlice API); terminating endpoints are not ready.
                if (endpoint.Conditions?.Ready == false)
                {
                    continue;
                }

                foreach (var text in endpoint.Addresses ?? [])
                {
                    if (NetworkText.TryParseAddress(text, out var address))
                    {
                        var backend = new BackendSpec(address, targetPort, 1, endpoint.TargetRef?.Name);
                        backends.TryAdd(backend.ToString(), backend);
                    }
                }
            }
        }

        // UDP endpoints cannot be probed by connecting: rely on passive checks only.
        var check = transport == TransportProtocol.Tcp ? Check(HealthCheckType.Tcp, null) : null;
        return new ListenerSpec { Protocol = transport, Port = port.Port, Backends = [.. backends.Values], HealthCheck = check };
    }

    private HealthCheckSpec Check(HealthCheckType type, int? port) => Check(_options, type, port);

    /// <summary>A check with the options' timings and thresholds; HTTP checks ask for <c>GET /healthz</c> and expect 200 (kube-proxy's health ports).</summary>
    public static HealthCheckSpec Check(TranslationOptions options, HealthCheckType type, int? port)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new()
        {
            Type = type,
            Port = port,
            Path = "/healthz",
            ExpectedStatus = 200,
            Interval = options.HealthCheckInterval,
            Timeout = options.HealthCheckTimeout,
            HealthyThreshold = options.HealthyThreshold,
            UnhealthyThreshold = options.UnhealthyThreshold,
        };
    }

    /// <summary>A node's InternalIP, else its ExternalIP (what cloud load balancers target).</summary>
    public static IPAddress? NodeAddress(V1Node node)
    {
        var addresses = node.Status?.Addresses ?? [];
        foreach (var type in new[] { "InternalIP", "ExternalIP" })
        {
            foreach (var address in addresses)
            {
                if (address.Type == type && NetworkText.TryParseAddress(address.Address, out var ip))
                {
                    return ip;
                }
            }
        }

        return null;
    }

    private static List<IPNetwork> ParseSourceRanges(V1ServiceSpec spec, IDictionary<string, string> annotations, List<string> errors)
    {
        var ranges = new List<IPNetwork>();
        IEnumerable<string> texts;
        string field;
        if (spec.LoadBalancerSourceRanges is { Count: > 0 } fromSpec)
        {
            texts = fromSpec;
            field = "spec.loadBalancerSourceRanges";
        }
        else if (annotations.TryGetValue(FerryAnnotations.LegacySourceRanges, out var fromAnnotation) && !string.IsNullOrWhiteSpace(fromAnnotation))
        {
            texts = fromAnnotation.Split(',');
            field = $"annotation {FerryAnnotations.LegacySourceRanges}";
        }
        else
        {
            return ranges;
        }

        foreach (var raw in texts)
        {
            var text = raw.Trim();
            // Like Go's net.ParseCIDR, which upstream uses: host bits are allowed and masked off.
            if (NetworkText.TryParseNetwork(text, out var network))
            {
                ranges.Add(network);
            }
            else if (text.Length > 0)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{field}: invalid CIDR \"{text}\""));
            }
        }

        return ranges;
    }

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));

    private static ProxyProtocolVersion Invalid(List<string> errors, string message)
    {
        errors.Add(message);
        return ProxyProtocolVersion.None;
    }
}
