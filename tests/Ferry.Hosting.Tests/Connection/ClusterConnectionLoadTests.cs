using Ferry.Hosting.Connection;

namespace Ferry.Hosting.Tests.Connection;

/// <summary>Real kubeconfig files on disk, merged and loaded as <c>ferry run</c> does.</summary>
public sealed class ClusterConnectionLoadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Merge_FirstFileWinsForNamesAndCurrentContext_LaterFilesAdd()
    {
        var first = Write("first/config", "alpha", ("alpha", "https://127.0.0.1:1001", "team-a"), ("shared", "https://127.0.0.1:1002", null));
        var second = Write("second/config", "beta", ("beta", "https://127.0.0.1:1003", null), ("shared", "https://127.0.0.1:1999", null));

        var current = ClusterConnection.Load(new ClusterConnectionSource([first, second], "$KUBECONFIG"), context: null);
        var shared = ClusterConnection.Load(new ClusterConnectionSource([first, second], "$KUBECONFIG"), "shared");
        var beta = ClusterConnection.Load(new ClusterConnectionSource([first, second], "$KUBECONFIG"), "beta");

        Assert.Equal("alpha", current.ContextName);
        Assert.Equal("https://127.0.0.1:1001/", current.Configuration.Host.TrimEnd('/') + "/");
        Assert.Equal("team-a", current.Namespace);
        Assert.StartsWith("https://127.0.0.1:1002", shared.Configuration.Host, StringComparison.Ordinal);
        Assert.StartsWith("https://127.0.0.1:1003", beta.Configuration.Host, StringComparison.Ordinal);
        Assert.Null(beta.Namespace);
    }

    [Fact]
    public void RelativeCertificatePath_IsResolvedAgainstTheFileThatNamesIt()
    {
        var first = Write("first/config", "alpha", ("alpha", "https://127.0.0.1:1001", null));
        Directory.CreateDirectory(Path.Combine(_directory, "second"));
        var second = Path.Combine(_directory, "second", "config");
        File.WriteAllText(second, """
            apiVersion: v1
            kind: Config
            clusters: [{ name: beta, cluster: { server: "https://127.0.0.1:1003", certificate-authority: ca.crt } }]
            users: [{ name: beta, user: { token: t } }]
            contexts: [{ name: beta, context: { cluster: beta, user: beta } }]
            """);

        // The CA file does not exist: the error names the path it was looked for at, which must be beside the second file.
        var error = Assert.Throws<ClusterConnectionException>(() => ClusterConnection.Load(new ClusterConnectionSource([first, second], "$KUBECONFIG"), "beta"));

        Assert.Contains(Path.Combine(_directory, "second", "ca.crt"), error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownContext_NamesTheKnownOnes()
    {
        var file = Write("config", "alpha", ("alpha", "https://127.0.0.1:1001", null), ("beta", "https://127.0.0.1:1002", null));

        var error = Assert.Throws<ClusterConnectionException>(() => ClusterConnection.Load(new ClusterConnectionSource([file], "--kubeconfig"), "prod"));

        Assert.Equal($"--kubeconfig ({file}): context \"prod\" does not exist (known: alpha, beta)", error.Message);
    }

    [Fact]
    public void NoCurrentContext_AsksForOne()
    {
        var file = Write("config", null, ("alpha", "https://127.0.0.1:1001", null));

        var error = Assert.Throws<ClusterConnectionException>(() => ClusterConnection.Load(new ClusterConnectionSource([file], "--kubeconfig"), null));

        Assert.Contains("no current-context is set; pick one with --context", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotYaml_IsAClearError()
    {
        var file = Path.Combine(_directory, "broken");
        File.WriteAllText(file, "clusters: [unclosed");

        var error = Assert.Throws<ClusterConnectionException>(() => ClusterConnection.Load(new ClusterConnectionSource([file], "--kubeconfig"), null));

        Assert.StartsWith($"--kubeconfig ({file}): ", error.Message, StringComparison.Ordinal);
    }

    private string Write(string relativePath, string? currentContext, params (string Name, string Server, string? Namespace)[] contexts)
    {
        var path = Path.Combine(_directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var lines = new List<string> { "apiVersion: v1", "kind: Config" };
        if (currentContext is not null)
        {
            lines.Add("current-context: " + currentContext);
        }

        lines.Add("clusters:");
        lines.AddRange(contexts.Select(c => $"  - {{ name: {c.Name}, cluster: {{ server: \"{c.Server}\", insecure-skip-tls-verify: true }} }}"));
        lines.Add("users:");
        lines.AddRange(contexts.Select(c => $"  - {{ name: {c.Name}, user: {{ token: token-{c.Name} }} }}"));
        lines.Add("contexts:");
        lines.AddRange(contexts.Select(c => $"  - {{ name: {c.Name}, context: {{ cluster: {c.Name}, user: {c.Name}{(c.Namespace is null ? string.Empty : ", namespace: " + c.Namespace)} }} }}"));
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
