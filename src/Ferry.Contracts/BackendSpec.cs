using System.Net;

namespace Ferry.Contracts;

/// <summary>One backend of a listener: a node's NodePort or an endpoint's address and target port.</summary>
/// <param name="Address">The backend's IP address.</param>
/// <param name="Port">The backend's port (1–65535).</param>
/// <param name="Weight">Relative share of new connections (1–1000); 0 is not allowed.</param>
/// <param name="Name">An optional label for logs and metrics (a node or pod name).</param>
public sealed record BackendSpec(IPAddress Address, int Port, int Weight = 1, string? Name = null)
{
    public IPEndPoint EndPoint => new(Address, Port);

    public override string ToString() => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"[{Address}]:{Port}"
        : $"{Address}:{Port}";
}
