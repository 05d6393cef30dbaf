namespace Ferry.Controller.LeaderElection;

/// <summary>
/// The Lease replicas compete for and its timings; the defaults are upstream's
/// (kube-controller-manager's <c>--leader-elect-*</c> flags).
/// </summary>
public sealed record LeaderElectionOptions
{
    public const string DefaultLeaseName = "ferry-controller";

    /// <summary>The namespace deploy/ creates and grants the Lease in; used when neither the flag nor the connection names one.</summary>
    public const string DefaultLeaseNamespace = "ferry-system";

    public string LeaseName { get; init; } = DefaultLeaseName;

    public string LeaseNamespace { get; init; } = DefaultLeaseNamespace;

    /// <summary>This replica's name in the Lease's <c>holderIdentity</c>; must differ between replicas.</summary>
    public required string Identity { get; init; }

    /// <summary>How long a standby waits after the last observed renewal before it takes over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps retrying a renewal the API server refused or did not answer before it steps down (a transport error ends the term at once: see <see cref="LeaseLeaderElection"/>).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The pause between attempts to acquire or renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The Lease's namespace: the one asked for, else the one the connection names (the pod's namespace
    /// in-cluster, the kubeconfig context's namespace outside), else <see cref="DefaultLeaseNamespace"/>.
    /// </summary>
    public static string ChooseNamespace(string? requested, string? connectionNamespace) =>
        !string.IsNullOrEmpty(requested) ? requested
        : !string.IsNullOrEmpty(connectionNamespace) ? connectionNamespace
        : DefaultLeaseNamespace;

    /// <summary>A replica name that is unique even when pods share a host name (host networking): host name plus a random suffix, as client-go does.</summary>
    public static string DefaultIdentity() => $"{Environment.MachineName}_{Guid.NewGuid():N}";

    /// <summary>Every problem, each naming its property; empty when the options are valid. Upstream requires lease &gt; renew deadline &gt; retry period.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(LeaseName) || string.IsNullOrWhiteSpace(LeaseNamespace) || string.IsNullOrWhiteSpace(Identity))
        {
            problems.Add($"{nameof(LeaseName)}, {nameof(LeaseNamespace)}, {nameof(Identity)}: the lease name, namespace and identity must not be empty");
        }

        if (RetryPeriod <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(RetryPeriod)}: the retry period must be positive");
        }
        else if (RenewDeadline <= RetryPeriod)
        {
            problems.Add($"{nameof(RenewDeadline)}: the renew deadline must be longer than the retry period");
        }
        else if (LeaseDuration <= RenewDeadline)
        {
            problems.Add($"{nameof(LeaseDuration)}: the lease duration must be longer than the renew deadline");
        }

        return problems;
    }
}
