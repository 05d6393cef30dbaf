using System.Net;

namespace Ferry.Hosting;

/// <summary>Settings of <c>ferry api</c>: the embedded API server alone.</summary>
public sealed record ApiFerryOptions
{
    /// <summary>Where state (SQLite), the TLS certificate, the token and the kubeconfig live. Created if missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The address to listen on; port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 6443);

    /// <summary>Optional extra users: kube-apiserver's <c>--token-auth-file</c> CSV (see <see cref="ApiServer.ApiServerOptions.TokenAuthFile"/>).</summary>
    public string? TokenAuthFile { get; init; }

    /// <summary>Optional ABAC policy for those users: kube-apiserver's <c>--authorization-policy-file</c> (see <see cref="ApiServer.ApiServerOptions.AuthorizationPolicyFile"/>).</summary>
    public string? AuthorizationPolicyFile { get; init; }

    /// <summary>Optional audit log: kube-apiserver's <c>--audit-log-path</c> (see <see cref="ApiServer.ApiServerOptions.AuditLogPath"/>).</summary>
    public string? AuditLogPath { get; init; }

    /// <summary>
    /// The IPv4 service CIDR and, optionally after a comma, an IPv6 one (kube-apiserver's
    /// <c>--service-cluster-ip-range</c>); see <see cref="ApiServer.Admission.ServiceAllocatorOptions"/>.
    /// The IPv6 one admits single-stack IPv6 Services.
    /// </summary>
    public string ServiceClusterIPRange { get; init; } = "10.96.0.0/12";

    /// <summary>The allocator's options from <see cref="ServiceClusterIPRange"/>.</summary>
    internal ApiServer.Admission.ServiceAllocatorOptions ServiceAllocation
    {
        get
        {
            var ranges = ServiceClusterIPRange.Split(',', StringSplitOptions.TrimEntries);
            return new() { ServiceCidr = ranges[0], ServiceCidrIPv6 = ranges.Length > 1 ? ranges[1] : null };
        }
    }

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate() =>
        [
            .. string.IsNullOrWhiteSpace(DataDirectory) ? [$"{nameof(DataDirectory)}: must not be empty"] : Array.Empty<string>(),
            .. ServiceClusterIPRange.Split(',').Length > 2
                ? [$"{nameof(ServiceClusterIPRange)}: at most one IPv4 and one IPv6 CIDR"]
                : ServiceAllocation.Validate().Select(p => $"{nameof(ServiceClusterIPRange)}: {p}"),
        ];
}
