using Ferry.Controller;
using Ferry.Controller.LeaderElection;
using Ferry.Ipam;

namespace Ferry.Hosting;

/// <summary>Settings of <c>ferry run</c>: the controller and data plane against a real cluster.</summary>
public sealed record ClusterFerryOptions
{
    /// <summary>The pools external IPs come from.</summary>
    public required IReadOnlyList<AddressPool> Pools { get; init; }

    public ControllerOptions Controller { get; init; } = new();

    /// <summary>The Lease replicas compete for; null runs the controller at once, with no election (a single replica).</summary>
    public LeaderElectionOptions? LeaderElection { get; init; }

    /// <summary>This replica's name in Events and logs (and in the Lease, unless <see cref="LeaderElection"/> names another).</summary>
    public string Identity => LeaderElection?.Identity ?? Environment.MachineName;
}
