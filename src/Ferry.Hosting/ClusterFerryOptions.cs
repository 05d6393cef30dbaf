using Ferry.Controller;
using Ferry.Controller.LeaderElection;
using Ferry.Hosting.Admin;
using Ferry.Ipam;

namespace Ferry.Hosting;

/// <summary>Settings of <c>ferry run</c>: the controller and data plane against a real cluster.</summary>
public sealed record ClusterFerryOptions
{
    /// <summary>The pools external IPs come from.</summary>
    public required IReadOnlyList<AddressPool> Pools { get; init; }

    public ControllerOptions Controller { get; init; } = new();

    /// <summary>Which data plane carries the traffic (<c>--data-plane</c>); userspace unless asked.</summary>
    public Contracts.DataPlaneMode DataPlane { get; init; } = Contracts.DataPlaneMode.Userspace;

    /// <summary>The Lease replicas compete for; null runs the controller at once, with no election (a single replica).</summary>
    public LeaderElectionOptions? LeaderElection { get; init; }

    /// <summary>The admin endpoint (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>), served by <see cref="ClusterFerry.StartAsync"/>; null serves none.</summary>
    public AdminEndpointOptions? Admin { get; init; }

    /// <summary>
    /// How this replica announces and serves the addresses of pools with <c>announce: l2</c> (every
    /// replica does, leader or not); null, or no such pool, leaves every address to the leader.
    /// </summary>
    public Serving.ReplicaServingOptions? Serving { get; init; }

    /// <summary>This replica's name in Events and logs (and in the Lease, unless <see cref="LeaderElection"/> names another).</summary>
    public string Identity => LeaderElection?.Identity ?? Environment.MachineName;

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate() =>
    [
        .. Controller.Validate().Select(p => $"{nameof(Controller)}.{p}"),
        .. (LeaderElection?.Validate() ?? []).Select(p => $"{nameof(LeaderElection)}.{p}"),
        .. (Admin?.Validate() ?? []).Select(p => $"{nameof(Admin)}.{p}"),
        .. (Serving?.Validate() ?? []).Select(p => $"{nameof(Serving)}.{p}"),
    ];
}
