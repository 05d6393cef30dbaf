namespace Ferry.Hosting.Connection;

/// <summary>What the operator asked for on the command line: <c>--kubeconfig</c>, <c>--context</c>, <c>--in-cluster</c>.</summary>
/// <param name="Kubeconfig">The <c>--kubeconfig</c> file, or null.</param>
/// <param name="Context">The <c>--context</c> to use instead of the kubeconfig's current context, or null.</param>
/// <param name="InCluster">True for <c>--in-cluster</c>: the pod's service account, whatever the environment says.</param>
public sealed record ClusterConnectionRequest(string? Kubeconfig = null, string? Context = null, bool InCluster = false)
{
    /// <summary>Every problem with the combination of flags; empty when they can be used together.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (InCluster && Kubeconfig is not null)
        {
            problems.Add("give at most one of --kubeconfig FILE and --in-cluster");
        }

        if (InCluster && Context is not null)
        {
            problems.Add("--context picks a kubeconfig context; it cannot be used with --in-cluster");
        }

        if (Context is { Length: 0 })
        {
            problems.Add("--context must not be empty");
        }

        return problems;
    }
}
