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
    /// The IPv4 service CIDR and, optionally, an IPv6 one (kube-apiserver's <c>--service-cluster-ip-range</c>); see
    /// <see cref="ApiServer.Admission.ServiceAllocatorOptions"/>. The IPv6 one admits single-stack IPv6 Services.
    /// </summary>
    public ApiServer.Admission.ServiceAllocatorOptions ServiceAllocation { get; init; } = new();

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate() =>
        [
            .. string.IsNullOrWhiteSpace(DataDirectory) ? [$"{nameof(DataDirectory)}: must not be empty"] : Array.Empty<string>(),
            .. ServiceAllocation.Validate().Select(p => $"{nameof(ServiceAllocation)}.{p}"),
        ];
}
