using System.Net;

namespace Ferry.ApiServer;

/// <summary>Settings of the embedded Kubernetes-compatible API server; the clock is given to <see cref="ApiServerHost.StartAsync(ApiServerOptions, Microsoft.Extensions.Logging.ILoggerFactory, TimeProvider, CancellationToken)"/>.</summary>
public sealed record ApiServerOptions
{
    /// <summary>Where state (SQLite), the TLS certificate, the token and the kubeconfig live. Created if missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The address to listen on; port 0 picks a free port (see <see cref="ApiServerHandle.Port"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 6443);

    /// <summary>Largest accepted request body; bigger ones get 413 RequestEntityTooLarge (kube-apiserver allows 3 MiB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>How many recent events are kept for watch resumption; older versions get 410 Expired.</summary>
    public int WatchHistorySize { get; init; } = 10_000;

    /// <summary>Cluster IP range and NodePort range for Service allocation (defaults: 10.96.0.0/12, 30000–32767).</summary>
    public Admission.ServiceAllocatorOptions ServiceAllocation { get; init; } = new();

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK (upstream: one minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Optional extra users besides the admin token: kube-apiserver's <c>--token-auth-file</c> CSV
    /// (<c>token,user,uid,"group1,group2"</c>). They get what <see cref="AuthorizationPolicyFile"/> allows.
    /// </summary>
    public string? TokenAuthFile { get; init; }

    /// <summary>
    /// Optional ABAC policy for the token file's users: kube-apiserver's <c>--authorization-policy-file</c>, one
    /// <c>abac.authorization.kubernetes.io/v1beta1</c> <c>Policy</c> JSON object per line. Without it they may only use
    /// discovery and self reviews. The admin token is never restricted.
    /// </summary>
    public string? AuthorizationPolicyFile { get; init; }

    /// <summary>
    /// Optional: kube-apiserver's <c>--audit-log-path</c> at level <c>Metadata</c>. Every request is appended to this file as
    /// an <c>audit.k8s.io/v1</c> Event JSON line (verb, user, source address, User-Agent, object, status code) when its
    /// response is complete. Null: no audit log.
    /// </summary>
    public string? AuditLogPath { get; init; }

    /// <summary>
    /// The Kubernetes version to answer as, <c>1.28</c> to <c>1.32</c>; null is 1.32. Below 1.30 the Service status
    /// drops <c>status.loadBalancer.ingress[].ipMode</c> with kube-apiserver's <c>unknown field</c> warning, as 1.28,
    /// and 1.29 with the <c>LoadBalancerIPMode</c> feature gate off (its default), do.
    /// </summary>
    public string? EmulatedVersion { get; init; }

    /// <summary>
    /// CustomResourceDefinition manifests (YAML or JSON) every start installs: created when missing, and their spec
    /// replaced when it differs from the stored one (an upgraded Ferry ships new definitions). Ferry's own
    /// (<c>deploy/crds/</c>) come this way to <c>ferry up</c> and <c>ferry api</c>.
    /// </summary>
    public IReadOnlyList<string> BootstrapDefinitions { get; init; } = [];

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Add($"{nameof(DataDirectory)}: must not be empty");
        }

        if (MaxRequestBodyBytes <= 0)
        {
            problems.Add($"{nameof(MaxRequestBodyBytes)}: must be positive");
        }

        if (WatchHistorySize < 1)
        {
            problems.Add($"{nameof(WatchHistorySize)}: must be at least 1");
        }

        if (BookmarkInterval <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(BookmarkInterval)}: must be positive");
        }

        foreach (var (name, path) in new[] { (nameof(TokenAuthFile), TokenAuthFile), (nameof(AuthorizationPolicyFile), AuthorizationPolicyFile) })
        {
            if (path is not null && !File.Exists(path))
            {
                problems.Add($"{name}: file {path} does not exist");
            }
        }

        if (AuditLogPath is not null && string.IsNullOrWhiteSpace(AuditLogPath))
        {
            problems.Add($"{nameof(AuditLogPath)}: must not be empty");
        }

        if (EmulatedVersion is not null && !KubernetesVersion.TryParse(EmulatedVersion, out _))
        {
            problems.Add($"{nameof(EmulatedVersion)}: \"{EmulatedVersion}\" is not a version from 1.{KubernetesVersion.OldestMinor} to 1.{KubernetesVersion.Default.Minor}");
        }

        problems.AddRange(ServiceAllocation.Validate().Select(p => $"{nameof(ServiceAllocation)}.{p}"));
        return problems;
    }
}
