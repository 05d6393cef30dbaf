using System.Net;

namespace Ferry.ApiServer;

/// <summary>Settings of the embedded Kubernetes-compatible API server.</summary>
public sealed class ApiServerOptions
{
    /// <summary>Where state (SQLite), the TLS certificate, the token and the kubeconfig live.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The address to listen on; port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 6443);
}
