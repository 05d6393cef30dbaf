namespace Ferry.ApiServer.Admission;

/// <summary>Ranges the Service allocator hands out (kube-apiserver's <c>--service-cluster-ip-range</c> and
/// <c>--service-node-port-range</c>). Immutable record.</summary>
public sealed record ServiceAllocatorOptions
{
    /// <summary>The IPv4 service CIDR; kubeadm's default.</summary>
    public string ServiceCidr { get; init; } = "10.96.0.0/12";

    /// <summary>Lowest node port (inclusive).</summary>
    public int NodePortMin { get; init; } = 30000;

    /// <summary>Highest node port (inclusive).</summary>
    public int NodePortMax { get; init; } = 32767;

    /// <summary>Keep the first usable address (10.96.0.1) for the <c>kubernetes</c> Service, as kube-apiserver does;
    /// only <c>default/kubernetes</c> may request it.</summary>
    public bool ReserveFirstAddress { get; init; } = true;
}
