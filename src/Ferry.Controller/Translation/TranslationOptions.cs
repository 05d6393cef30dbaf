namespace Ferry.Controller.Translation;

/// <summary>How Services become load balancer specs: targets and health-check settings.</summary>
public sealed record TranslationOptions
{
    public TargetMode DefaultTargets { get; init; } = TargetMode.Nodes;

    /// <summary>kube-proxy's <c>/healthz</c> port, checked for <c>externalTrafficPolicy: Cluster</c> in node mode.</summary>
    public int KubeProxyHealthzPort { get; init; } = 10256;

    /// <summary>Check <c>externalTrafficPolicy: Cluster</c> nodes with a TCP connect to the NodePort instead of kube-proxy's <c>/healthz</c>.</summary>
    public bool ClusterPolicyChecksNodePort { get; init; }

    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan HealthCheckTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public int HealthyThreshold { get; init; } = 2;

    public int UnhealthyThreshold { get; init; } = 3;

    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (KubeProxyHealthzPort is < 1 or > 65535)
        {
            problems.Add($"{nameof(KubeProxyHealthzPort)}: must be a port, 1-65535");
        }

        if (HealthCheckInterval <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(HealthCheckInterval)}: must be positive");
        }

        if (HealthCheckTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(HealthCheckTimeout)}: must be positive");
        }

        if (HealthyThreshold < 1)
        {
            problems.Add($"{nameof(HealthyThreshold)}: must be at least 1");
        }

        if (UnhealthyThreshold < 1)
        {
            problems.Add($"{nameof(UnhealthyThreshold)}: must be at least 1");
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            problems.Add($"{nameof(DrainTimeout)}: must not be negative");
        }

        return problems;
    }
}
