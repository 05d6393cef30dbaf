using System.Net;
using Ferry.ApiServer;
using Ferry.Controller.LeaderElection;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Hosting.Tests;

/// <summary>
/// <see cref="LeasePermissionCheck"/> against the embedded API server, with the admin and with a token-file
/// user whose ABAC policy grants the Lease in one namespace only (as deploy/'s Role does).
/// </summary>
public sealed class LeasePermissionCheckTests : IAsyncLifetime
{
    private const string OperatorToken = "operator-token-0123456789";
    private const string ReaderToken = "reader-token-0123456789";
    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-lease-rbac-").FullName;
    private ApiServerHandle? _api;

    public async ValueTask InitializeAsync()
    {
        var tokens = Path.Combine(_directory, "tokens.csv");
        await File.WriteAllTextAsync(tokens, $"{OperatorToken},system:serviceaccount:ferry-system:ferry,1\n{ReaderToken},reader,2\n");
        var policy = Path.Combine(_directory, "policy.jsonl");
        await File.WriteAllLinesAsync(policy, [
            """{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"system:serviceaccount:ferry-system:ferry","namespace":"ferry-system","resource":"leases","apiGroup":"coordination.k8s.io"}}""",
            """{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"reader","namespace":"*","resource":"leases","apiGroup":"coordination.k8s.io","readonly":true}}""",
        ]);
        _api = await ApiServerHost.StartAsync(
            new ApiServerOptions { DataDirectory = Path.Combine(_directory, "data"), Listen = new IPEndPoint(IPAddress.Loopback, 0), TokenAuthFile = tokens, AuthorizationPolicyFile = policy },
            NullLoggerFactory.Instance,
            TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Admin_IsAllowedEverywhere()
    {
        using var client = Client(_api!.Token);

        var result = await LeasePermissionCheck.CheckAsync(client, Election("kube-system"), TestContext.Current.CancellationToken);

        Assert.True(result.IsAllowed, result.ToString());
    }

    [Fact]
    public async Task ServiceAccount_AllowedInItsNamespace_DeniedEverythingElsewhere()
    {
        using var client = Client(OperatorToken);

        var home = await LeasePermissionCheck.CheckAsync(client, Election("ferry-system"), TestContext.Current.CancellationToken);
        var elsewhere = await LeasePermissionCheck.CheckAsync(client, Election("kube-system"), TestContext.Current.CancellationToken);

        Assert.True(home.IsAllowed, home.ToString());
        Assert.True(elsewhere.IsDenied, elsewhere.ToString());
        Assert.Equal(["get", "create", "update"], elsewhere.DeniedVerbs);
    }

    [Fact]
    public async Task ReadOnlyUser_DeniedCreateAndUpdateOnly()
    {
        using var client = Client(ReaderToken);

        var result = await LeasePermissionCheck.CheckAsync(client, Election("ferry-system"), TestContext.Current.CancellationToken);

        Assert.Equal(["create", "update"], result.DeniedVerbs);
    }

    [Fact]
    public async Task Unreachable_IsUndecidedNotDenied()
    {
        var port = _api!.Port;
        using var client = Client(_api.Token);
        await _api.DisposeAsync();
        _api = null;

        var result = await LeasePermissionCheck.CheckAsync(client, Election("ferry-system"), TestContext.Current.CancellationToken);

        Assert.False(result.Decided, $"port {port}: {result}");
        Assert.Empty(result.DeniedVerbs);
        Assert.NotEmpty(result.Detail);
    }

    private static LeaderElectionOptions Election(string @namespace) => new() { Identity = "check", LeaseNamespace = @namespace };

    private Kubernetes Client(string token)
    {
        var path = _api!.WriteKubeconfig(Path.Combine(_directory, token + ".kubeconfig"), token);
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
    }
}
