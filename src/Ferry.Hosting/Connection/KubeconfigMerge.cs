using k8s.KubeConfigModels;

namespace Ferry.Hosting.Connection;

/// <summary>
/// kubectl's merging of the files in <c>$KUBECONFIG</c> (docs/running-in-a-cluster.md, "Reaching the
/// cluster"): the first file that names a cluster, user or context, or sets <c>current-context</c>, wins;
/// later files only add. Relative file paths are resolved against the file that names them.
/// </summary>
public static class KubeconfigMerge
{
    /// <summary>Merges <paramref name="files"/> in order.</summary>
    public static K8SConfiguration Merge(IEnumerable<K8SConfiguration> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var merged = new K8SConfiguration { Clusters = [], Users = [], Contexts = [] };
        var clusters = new List<Cluster>();
        var users = new List<User>();
        var contexts = new List<Context>();
        foreach (var file in files)
        {
            merged.CurrentContext = string.IsNullOrEmpty(merged.CurrentContext) ? file.CurrentContext : merged.CurrentContext;
            AddNew(clusters, file.Clusters, c => c.Name);
            AddNew(users, file.Users, u => u.Name);
            AddNew(contexts, file.Contexts, c => c.Name);
        }

        merged.Clusters = clusters;
        merged.Users = users;
        merged.Contexts = contexts;
        return merged;
    }

    /// <summary>The same configuration with every relative certificate, key and token path made absolute against <paramref name="path"/>'s folder.</summary>
    public static K8SConfiguration WithAbsolutePaths(K8SConfiguration configuration, string path)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? string.Empty;
        foreach (var endpoint in (configuration.Clusters ?? []).Select(c => c.ClusterEndpoint).OfType<ClusterEndpoint>())
        {
            endpoint.CertificateAuthority = Absolute(folder, endpoint.CertificateAuthority);
        }

        foreach (var credentials in (configuration.Users ?? []).Select(u => u.UserCredentials).OfType<UserCredentials>())
        {
            credentials.ClientCertificate = Absolute(folder, credentials.ClientCertificate);
            credentials.ClientKey = Absolute(folder, credentials.ClientKey);
        }

        // Paths are absolute now; a file name left behind would make KubernetesClient resolve them again.
        configuration.FileName = null;
        return configuration;
    }

    private static string? Absolute(string folder, string? path) =>
        string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.Combine(folder, path);

    private static void AddNew<T>(List<T> into, IEnumerable<T>? from, Func<T, string> name)
    {
        foreach (var item in from ?? [])
        {
            if (!into.Exists(existing => name(existing) == name(item)))
            {
                into.Add(item);
            }
        }
    }
}
