using System.Net;

namespace Ferry.Hosting;

/// <summary>Settings of <c>ferry api</c>: the embedded API server alone.</summary>
public sealed record ApiFerryOptions
{
    /// <summary>Where state (SQLite), the TLS certificate, the token and the kubeconfig live. Created if missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The address to listen on; port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 6443);

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate() =>
        string.IsNullOrWhiteSpace(DataDirectory) ? [$"{nameof(DataDirectory)}: must not be empty"] : [];
}
