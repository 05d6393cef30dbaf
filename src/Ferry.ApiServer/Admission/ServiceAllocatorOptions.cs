using System.Net;
using System.Net.Sockets;
using Ferry.Contracts.Addressing;

namespace Ferry.ApiServer.Admission;

/// <summary>Ranges the Service allocator hands out (kube-apiserver's <c>--service-cluster-ip-range</c> and
/// <c>--service-node-port-range</c>). Immutable record.</summary>
public sealed record ServiceAllocatorOptions
{
    /// <summary>The IPv4 service CIDR; kubeadm's default.</summary>
    public string ServiceCidr { get; init; } = "10.96.0.0/12";

    /// <summary>
    /// An IPv6 service CIDR besides <see cref="ServiceCidr"/> (kube-apiserver's second <c>--service-cluster-ip-range</c>),
    /// for single-stack IPv6 Services; null (the default) rejects IPv6 as an IPv4-only cluster does.
    /// </summary>
    public string? ServiceCidrIPv6 { get; init; }

    /// <summary>Lowest node port (inclusive).</summary>
    public int NodePortMin { get; init; } = 30000;

    /// <summary>Highest node port (inclusive).</summary>
    public int NodePortMax { get; init; } = 32767;

    /// <summary>Keep the first usable address (10.96.0.1) for the <c>kubernetes</c> Service, as kube-apiserver does;
    /// only <c>default/kubernetes</c> may request it.</summary>
    public bool ReserveFirstAddress { get; init; } = true;

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!TryParseServiceCidr(ServiceCidr, out _, out _))
        {
            problems.Add($"{nameof(ServiceCidr)}: service CIDR {ServiceCidr} must be an IPv4 CIDR between /8 and /30");
        }

        if (ServiceCidrIPv6 is not null && !TryParseServiceCidrIPv6(ServiceCidrIPv6, out _, out _))
        {
            problems.Add($"{nameof(ServiceCidrIPv6)}: service CIDR {ServiceCidrIPv6} must be an IPv6 CIDR between /108 and /126");
        }

        if (NodePortMin < 1 || NodePortMax > 65535 || NodePortMin > NodePortMax)
        {
            problems.Add($"{nameof(NodePortMin)}, {nameof(NodePortMax)}: the node port range must lie within 1-65535");
        }

        return problems;
    }

    /// <summary>Parses an IPv4 CIDR with a prefix between /8 and /30, the only service CIDRs allowed.</summary>
    internal static bool TryParseServiceCidr(string? text, out IPAddress address, out int prefix) =>
        NetworkText.TryParseCidr(text, out address, out prefix) && address.AddressFamily == AddressFamily.InterNetwork && prefix is >= 8 and <= 30;

    /// <summary>Parses an IPv6 CIDR with a prefix between /108 (upstream's largest) and /126.</summary>
    internal static bool TryParseServiceCidrIPv6(string? text, out IPAddress address, out int prefix) =>
        NetworkText.TryParseCidr(text, out address, out prefix) && address.AddressFamily == AddressFamily.InterNetworkV6 && prefix is >= 108 and <= 126;
}
