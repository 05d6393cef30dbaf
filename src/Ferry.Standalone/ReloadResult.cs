using Ferry.Configuration;
using Ferry.Contracts;

namespace Ferry.Standalone;

/// <summary>The result of one reload, raised through <see cref="StandaloneBalancer.Reloaded"/> (tests and status reporting watch it).</summary>
public sealed record ReloadResult(ReloadOutcome Outcome)
{
    /// <summary>Why the file was rejected (<see cref="ReloadOutcome.Rejected"/> only).</summary>
    public IReadOnlyList<ConfigError> Errors { get; init; } = [];

    /// <summary>The status the provider reported for each load balancer ensured by this reload.</summary>
    public IReadOnlyList<LoadBalancerStatus> Ensured { get; init; } = [];

    /// <summary>Load balancers removed from the file and deleted from the provider.</summary>
    public IReadOnlyList<LoadBalancerKey> Deleted { get; init; } = [];

    /// <summary>Load balancers the provider refused or failed to ensure or delete; they keep their previous state.</summary>
    public IReadOnlyList<LoadBalancerKey> Failed { get; init; } = [];
}
