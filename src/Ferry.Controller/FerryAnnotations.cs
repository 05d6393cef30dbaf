namespace Ferry.Controller;

/// <summary>The annotations and well-known names Ferry reads on Services and Nodes.</summary>
public static class FerryAnnotations
{
    /// <summary><c>nodes</c> or <c>endpoints</c> (<see cref="Translation.TargetModeNames"/>): where this Service's traffic goes, overriding the controller's default.</summary>
    public const string Targets = "ferry.dev/targets";

    /// <summary><c>v1</c> or <c>v2</c> (<see cref="Contracts.ProxyProtocolVersionNames"/>): send the PROXY protocol header to backends (ingress <c>ipMode</c> becomes <c>Proxy</c>).</summary>
    public const string ProxyProtocol = "ferry.dev/proxy-protocol";

    /// <summary>The address pool to take the external IP from.</summary>
    public const string AddressPool = "ferry.dev/address-pool";

    /// <summary>Requested external IPs, comma-separated, at most one per family.</summary>
    public const string LoadBalancerIps = "ferry.dev/load-balancer-ips";

    /// <summary>Services with the same value may share an external IP when their ports do not collide.</summary>
    public const string AllowSharedIp = "ferry.dev/allow-shared-ip";

    /// <summary>MetalLB's spellings of <see cref="LoadBalancerIps"/>, read with the same meaning (docs/migrating-from-metallb.md).</summary>
    public static readonly IReadOnlyList<string> MetalLbLoadBalancerIps = ["metallb.io/loadBalancerIPs", "metallb.universe.tf/loadBalancerIPs"];

    /// <summary>MetalLB's spellings of <see cref="AddressPool"/>.</summary>
    public static readonly IReadOnlyList<string> MetalLbAddressPool = ["metallb.io/address-pool", "metallb.universe.tf/address-pool"];

    /// <summary>MetalLB's spellings of <see cref="AllowSharedIp"/>.</summary>
    public static readonly IReadOnlyList<string> MetalLbAllowSharedIp = ["metallb.io/allow-shared-ip", "metallb.universe.tf/allow-shared-ip"];

    /// <summary>Balancing algorithm: roundRobin, leastConnections, random, powerOfTwo or clientIpHash (<see cref="Contracts.BalancingAlgorithmNames"/>).</summary>
    public const string Algorithm = "ferry.dev/algorithm";

    /// <summary>The legacy source-range annotation, read when <c>spec.loadBalancerSourceRanges</c> is empty.</summary>
    public const string LegacySourceRanges = "service.beta.kubernetes.io/load-balancer-source-ranges";

    /// <summary>The finalizer the upstream service controller puts on LoadBalancer Services.</summary>
    public const string CleanupFinalizer = "service.kubernetes.io/load-balancer-cleanup";

    /// <summary>Nodes with this label (any value but "false") are not load balancer targets.</summary>
    public const string ExcludeFromExternalLoadBalancers = "node.kubernetes.io/exclude-from-external-load-balancers";

    /// <summary>The cluster autoscaler's taint on nodes it is about to delete.</summary>
    public const string ToBeDeletedTaint = "ToBeDeletedByClusterAutoscaler";

    /// <summary>Ferry's own <c>spec.loadBalancerClass</c>.</summary>
    public const string LoadBalancerClass = "ferry.dev/lb";
}
