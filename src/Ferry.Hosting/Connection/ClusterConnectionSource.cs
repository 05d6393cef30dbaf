namespace Ferry.Hosting.Connection;

/// <summary>
/// Where the cluster configuration comes from, chosen by kubectl's loading rules
/// (docs/running-in-a-cluster.md, "Reaching the cluster"): <c>--kubeconfig</c>, else every file of
/// <c>$KUBECONFIG</c> (merged, the first file that sets a value wins), else <c>~/.kube/config</c>, else the
/// pod's service account.
/// </summary>
/// <param name="Kubeconfigs">The kubeconfig files to merge, in order; empty for in-cluster.</param>
/// <param name="Origin">How the choice was made, for the start-up log line and error messages (e.g. <c>$KUBECONFIG</c>).</param>
public sealed record ClusterConnectionSource(IReadOnlyList<string> Kubeconfigs, string Origin)
{
    /// <summary>The environment variable kubectl reads: a list of kubeconfig files separated by the path-list separator.</summary>
    public const string KubeconfigVariable = "KUBECONFIG";

    /// <summary>The origin of an in-cluster source.</summary>
    public const string InClusterOrigin = "in-cluster service account";

    /// <summary>True when the pod's service account is used.</summary>
    public bool IsInCluster => Kubeconfigs.Count == 0;

    /// <summary>
    /// Applies the loading rules. Pure: the environment, the home directory and the file system are given,
    /// so the rules are tested without touching the machine's.
    /// </summary>
    /// <param name="request">The flags.</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <param name="homeDirectory">The user's home directory, or null when there is none.</param>
    /// <param name="fileExists">Whether a file exists.</param>
    /// <returns>The source, or the reason there is none (the request is invalid, or nothing is configured).</returns>
    public static (ClusterConnectionSource? Source, string? Error) Choose(
        ClusterConnectionRequest request,
        Func<string, string?> environment,
        string? homeDirectory,
        Func<string, bool> fileExists)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(fileExists);
        if (request.Validate() is [var problem, ..])
        {
            return (null, problem);
        }

        if (request.InCluster)
        {
            return (new ClusterConnectionSource([], InClusterOrigin), null);
        }

        if (request.Kubeconfig is { } explicitFile)
        {
            // As kubectl: an explicit file must exist.
            return fileExists(explicitFile)
                ? (new ClusterConnectionSource([explicitFile], "--kubeconfig"), null)
                : (null, $"--kubeconfig {explicitFile}: no such file");
        }

        if (environment(KubeconfigVariable) is { Length: > 0 } list)
        {
            // As kubectl: empty entries and missing files are skipped, duplicates count once.
            var files = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal)
                .Where(fileExists)
                .ToArray();
            return files.Length > 0
                ? (new ClusterConnectionSource(files, "$" + KubeconfigVariable), null)
                : (null, $"${KubeconfigVariable} names no existing file ({list})");
        }

        if (homeDirectory is not null && Path.Combine(homeDirectory, ".kube", "config") is var home && fileExists(home))
        {
            return (new ClusterConnectionSource([home], "~/.kube/config"), null);
        }

        if (!string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_HOST")) && !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_PORT")))
        {
            return (new ClusterConnectionSource([], InClusterOrigin), null);
        }

        return (null, "no cluster configuration: give --kubeconfig FILE or --in-cluster, set $KUBECONFIG, or create ~/.kube/config");
    }
}
