using Ferry.Controller.LeaderElection;
using Ferry.Hosting.Connection;

namespace Ferry.Hosting.Tests.Connection;

/// <summary>kubectl's loading rules, with the environment and the file system given.</summary>
public class ClusterConnectionSourceTests
{
    private const string Home = "/home/op";
    private static readonly string _homeConfig = Path.Combine(Home, ".kube", "config");

    private static (ClusterConnectionSource? Source, string? Error) Choose(ClusterConnectionRequest request, Dictionary<string, string> environment, params string[] files) =>
        ClusterConnectionSource.Choose(request, name => environment.GetValueOrDefault(name), Home, files.Contains);

    [Fact]
    public void ExplicitFile_WinsOverEverything()
    {
        var (source, error) = Choose(new ClusterConnectionRequest("/etc/a"), new() { ["KUBECONFIG"] = "/etc/b", ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" }, "/etc/a", "/etc/b", _homeConfig);

        Assert.Null(error);
        Assert.Equal(["/etc/a"], source!.Kubeconfigs);
        Assert.Equal("--kubeconfig", source.Origin);
    }

    [Fact]
    public void ExplicitFileMissing_IsAnError()
    {
        var (source, error) = Choose(new ClusterConnectionRequest("/etc/a"), [], _homeConfig);

        Assert.Null(source);
        Assert.Equal("--kubeconfig /etc/a: no such file", error);
    }

    [Fact]
    public void EnvironmentList_KeepsOrderSkipsMissingEmptyAndRepeated()
    {
        var list = string.Join(Path.PathSeparator, "/etc/b", string.Empty, "/etc/missing", "/etc/a", "/etc/b");

        var (source, _) = Choose(new ClusterConnectionRequest(), new() { ["KUBECONFIG"] = list }, "/etc/a", "/etc/b", _homeConfig);

        Assert.Equal(["/etc/b", "/etc/a"], source!.Kubeconfigs);
        Assert.Equal("$KUBECONFIG", source.Origin);
    }

    [Fact]
    public void EnvironmentListOfMissingFiles_IsAnErrorNotAFallback()
    {
        var (source, error) = Choose(new ClusterConnectionRequest(), new() { ["KUBECONFIG"] = "/etc/missing" }, _homeConfig);

        Assert.Null(source);
        Assert.Equal("$KUBECONFIG names no existing file (/etc/missing)", error);
    }

    [Fact]
    public void HomeConfig_WhenNoFlagAndNoEnvironment()
    {
        var (source, _) = Choose(new ClusterConnectionRequest(), new() { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" }, _homeConfig);

        Assert.Equal([_homeConfig], source!.Kubeconfigs);
    }

    [Fact]
    public void InCluster_WhenNothingElse_OrWhenAskedWhateverTheEnvironment()
    {
        var pod = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };

        Assert.True(Choose(new ClusterConnectionRequest(), pod).Source!.IsInCluster);
        Assert.True(Choose(new ClusterConnectionRequest(InCluster: true), new() { ["KUBECONFIG"] = "/etc/a" }, "/etc/a").Source!.IsInCluster);
    }

    [Fact]
    public void Nothing_SaysWhereItLooked()
    {
        var (source, error) = Choose(new ClusterConnectionRequest(), []);

        Assert.Null(source);
        Assert.Contains("$KUBECONFIG", error, StringComparison.Ordinal);
        Assert.Contains("~/.kube/config", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/a", null, true, "at most one of --kubeconfig FILE and --in-cluster")]
    [InlineData(null, "prod", true, "--context picks a kubeconfig context")]
    [InlineData(null, "", false, "--context must not be empty")]
    public void ConflictingFlags_AreRejected(string? kubeconfig, string? context, bool inCluster, string expected)
    {
        var (source, error) = Choose(new ClusterConnectionRequest(kubeconfig, context, inCluster), [], "/etc/a");

        Assert.Null(source);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops", "team", "ops")]
    [InlineData(null, "team", "team")]
    [InlineData(null, null, "ferry-system")]
    [InlineData("", "", "ferry-system")]
    public void LeaseNamespace_FlagThenConnectionThenFerrySystem(string? flag, string? connection, string expected) =>
        Assert.Equal(expected, LeaderElectionOptions.ChooseNamespace(flag, connection));
}
