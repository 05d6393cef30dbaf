using Ferry.Controller;
using Ferry.Ipam;

namespace Ferry.Hosting;

/// <summary>What the controller and its data plane need besides a Kubernetes client.</summary>
public sealed record ControllerHostOptions
{
    /// <summary>The pools external IPs come from.</summary>
    public required IReadOnlyList<AddressPool> Pools { get; init; }

    public ControllerOptions Controller { get; init; } = new();

    /// <summary>This replica's name in Events (<c>reportingInstance</c>) and logs.</summary>
    public string Identity { get; init; } = Environment.MachineName;
}
