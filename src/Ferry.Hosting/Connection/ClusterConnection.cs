using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace Ferry.Hosting.Connection;

/// <summary>
/// The client configuration <c>ferry run</c> reaches its cluster with, loaded from a
/// <see cref="ClusterConnectionSource"/>, and the namespace that source names (the context's
/// namespace, or the pod's in-cluster).
/// </summary>
/// <param name="Configuration">What KubernetesClient connects with.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="ContextName">The kubeconfig context used (null in-cluster).</param>
public sealed record ClusterConnection(KubernetesClientConfiguration Configuration, ClusterConnectionSource Source, string? ContextName)
{
    /// <summary>
    /// The namespace the source names: the kubeconfig context's <c>namespace</c>, or the pod's namespace
    /// in-cluster; null when it names none.
    /// </summary>
    public string? Namespace => string.IsNullOrEmpty(Configuration.Namespace) ? null : Configuration.Namespace;

    /// <summary>Loads the configuration with the process's environment and home directory.</summary>
    /// <exception cref="ClusterConnectionException">No source, or it cannot be used; the message says why.</exception>
    public static ClusterConnection Load(ClusterConnectionRequest request)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var (source, error) = ClusterConnectionSource.Choose(request, Environment.GetEnvironmentVariable, string.IsNullOrEmpty(home) ? null : home, File.Exists);
        return source is null ? throw new ClusterConnectionException(error!) : Load(source, request.Context);
    }

    /// <summary>Loads the configuration from <paramref name="source"/>, with <paramref name="context"/> instead of the current context when given.</summary>
    /// <exception cref="ClusterConnectionException">A file cannot be read or parsed, the context does not exist, or the pod has no service account.</exception>
    public static ClusterConnection Load(ClusterConnectionSource source, string? context)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            if (source.IsInCluster)
            {
                return new ClusterConnection(KubernetesClientConfiguration.InClusterConfig(), source, null);
            }

            var merged = KubeconfigMerge.Merge(source.Kubeconfigs.Select(f => KubeconfigMerge.WithAbsolutePaths(KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f)), f)));
            var contextName = context ?? merged.CurrentContext;
            if (string.IsNullOrEmpty(contextName))
            {
                throw new ClusterConnectionException($"{Describe(source)}: no current-context is set; pick one with --context");
            }

            if (merged.Contexts?.Any(c => c.Name == contextName) != true)
            {
                throw new ClusterConnectionException($"{Describe(source)}: context \"{contextName}\" does not exist (known: {string.Join(", ", Names(merged))})");
            }

            return new ClusterConnection(KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, contextName), source, contextName);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException or YamlDotNet.Core.YamlException)
        {
            throw new ClusterConnectionException($"{Describe(source)}: {e.Message}", e);
        }
    }

    private static string Describe(ClusterConnectionSource source) =>
        source.IsInCluster ? source.Origin : $"{source.Origin} ({string.Join(Path.PathSeparator, source.Kubeconfigs)})";

    private static IEnumerable<string> Names(K8SConfiguration configuration) =>
        (configuration.Contexts ?? []).Select(c => c.Name).Order(StringComparer.Ordinal);
}
