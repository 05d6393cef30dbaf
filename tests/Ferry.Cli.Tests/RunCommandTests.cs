using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Ferry.Cli.Tests;

/// <summary><c>ferry run</c> as a user runs it, against the kubeconfig of a <c>ferry api</c> process.</summary>
public sealed partial class RunCommandTests : IDisposable
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-run-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [GeneratedRegex("export KUBECONFIG=(?<kubeconfig>\\S+)")]
    private static partial Regex KubeconfigLine();

    [Fact]
    public async Task Run_BadPoolsFile_ExitsOneNamingTheField()
    {
        var pools = Path.Combine(_directory, "pools.yaml");
        await File.WriteAllTextAsync(pools, "pools:\n  - name: default\n    addresses: [192.0.2.0/24, 198.51.100.20-198.51.100.10]\n", TestContext.Current.CancellationToken);

        await using var ferry = FerryProcess.Start("run", "--kubeconfig", Path.Combine(_directory, "missing"), "--pools", pools);

        Assert.Equal(1, await ferry.WaitForExitAsync(_wait));
        Assert.Contains("pools[0].addresses[1]: invalid range", ferry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoClusterConfigurationAnywhere_ExitsOneSayingWhereItLooked()
    {
        var pools = await WritePoolsAsync("192.0.2.0/24");

        // No flag, no $KUBECONFIG, a home without ~/.kube/config, and not in a pod.
        await using var ferry = FerryProcess.Start(
            new Dictionary<string, string?> { ["KUBECONFIG"] = null, ["HOME"] = _directory, ["KUBERNETES_SERVICE_HOST"] = null, ["KUBERNETES_SERVICE_PORT"] = null },
            "run", "--pools", pools);

        Assert.Equal(1, await ferry.WaitForExitAsync(_wait));
        Assert.Contains("no cluster configuration: give --kubeconfig FILE or --in-cluster, set $KUBECONFIG, or create ~/.kube/config", ferry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KubeconfigAndInCluster_ExitsTwo()
    {
        var pools = await WritePoolsAsync("192.0.2.0/24");

        await using var ferry = FerryProcess.Start("run", "--kubeconfig", Path.Combine(_directory, "missing"), "--in-cluster", "--pools", pools);

        Assert.Equal(2, await ferry.WaitForExitAsync(_wait));
        Assert.Contains("give at most one of --kubeconfig FILE and --in-cluster", ferry.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kube-proxy-healthz-port", "0", "--kube-proxy-healthz-port: must be a port, 1-65535")]
    [InlineData("--node-health-check", "http", "--node-health-check")]
    public async Task Run_BadNodeHealthCheckFlags_ExitTwo(string flag, string value, string expected)
    {
        var pools = await WritePoolsAsync("192.0.2.0/24");

        await using var ferry = FerryProcess.Start("run", "--kubeconfig", Path.Combine(_directory, "missing"), "--pools", pools, flag, value);

        Assert.Equal(2, await ferry.WaitForExitAsync(_wait));
        Assert.Contains(expected, ferry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownContext_ExitsOneListingTheKnownOnes()
    {
        var (api, kubeconfig) = await StartApiAsync();
        await using var apiScope = api;
        var pools = await WritePoolsAsync("192.0.2.0/24");

        await using var ferry = FerryProcess.Start(new Dictionary<string, string?> { ["KUBECONFIG"] = kubeconfig }, "run", "--context", "prod", "--pools", pools);

        Assert.Equal(1, await ferry.WaitForExitAsync(_wait));
        Assert.Contains("context \"prod\" does not exist (known: ferry)", ferry.Output, StringComparison.Ordinal);
        Assert.Contains("$KUBECONFIG", ferry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KubeconfigFromEnvironmentList_MergesAndUsesTheContextAsked()
    {
        var ct = TestContext.Current.CancellationToken;
        var (api, kubeconfig) = await StartApiAsync();
        await using var apiScope = api;

        // As kubectl: a first file whose current context is elsewhere, then the API server's file; --context picks the latter's context.
        var first = Path.Combine(_directory, "first.yaml");
        await File.WriteAllTextAsync(first, """
            apiVersion: v1
            kind: Config
            current-context: elsewhere
            clusters: [{ name: elsewhere, cluster: { server: "https://127.0.0.1:1" } }]
            users: [{ name: elsewhere, user: { token: nothing } }]
            contexts: [{ name: elsewhere, context: { cluster: elsewhere, user: elsewhere } }]
            """, ct);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.");
        var pools = await WritePoolsAsync(prefix + "0/24");
        var list = string.Join(Path.PathSeparator, first, Path.Combine(_directory, "absent.yaml"), kubeconfig);

        await using var ferry = FerryProcess.Start(
            new Dictionary<string, string?> { ["KUBECONFIG"] = list },
            "run", "--context", "ferry", "--pools", pools, "--targets", "endpoints",
            "--identity", "env-test", "--lease-duration", "2", "--renew-deadline", "1.5", "--retry-period", "0.3");
        Assert.True(await ferry.WaitForOutputAsync("env-test is the leader", _wait), ferry.Output);
        Assert.Contains("(context ferry from $KUBECONFIG)", ferry.Output, StringComparison.Ordinal);

        // The context names namespace default, so the Lease is there (flag absent).
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("ferry-controller", "default", cancellationToken: ct);
        Assert.Equal("env-test", lease.Spec.HolderIdentity);
        var ip = await CreateServiceAndWaitForIpAsync(client, ct);
        Assert.StartsWith(prefix, ip, StringComparison.Ordinal);
        await ferry.StopAsync();
        Assert.Equal(0, await ferry.WaitForExitAsync(_wait));
    }

    [Fact]
    public async Task Run_LeaseNotPermitted_ExitsOneNamingVerbsAndNamespace()
    {
        var ct = TestContext.Current.CancellationToken;
        var tokens = Path.Combine(_directory, "tokens.csv");
        await File.WriteAllTextAsync(tokens, "ferry-sa-token-0123456789,system:serviceaccount:ferry-system:ferry,1\n", ct);
        var policy = Path.Combine(_directory, "policy.jsonl");
        await File.WriteAllTextAsync(
            policy,
            """{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"system:serviceaccount:ferry-system:ferry","namespace":"ferry-system","resource":"leases","apiGroup":"coordination.k8s.io"}}""" + "\n",
            ct);
        var (api, admin) = await StartApiAsync("--token-auth-file", tokens, "--authorization-policy-file", policy);
        await using var apiScope = api;

        // The service account's kubeconfig: the admin's with the other token (context namespace default).
        var serviceAccount = Path.Combine(_directory, "sa.kubeconfig");
        await File.WriteAllTextAsync(serviceAccount, TokenLine().Replace(await File.ReadAllTextAsync(admin, ct), "token: ferry-sa-token-0123456789"), ct);
        var pools = await WritePoolsAsync("192.0.2.0/24");

        await using var refused = FerryProcess.Start("run", "--kubeconfig", serviceAccount, "--pools", pools);
        Assert.Equal(1, await refused.WaitForExitAsync(_wait));
        Assert.Contains(
            "ferry run: this identity may not get, create, update leases.coordination.k8s.io in namespace \"default\"",
            refused.Output,
            StringComparison.Ordinal);
        Assert.Contains("--lease-namespace", refused.Output, StringComparison.Ordinal);

        // In the namespace deploy/ grants, the same identity passes the check and leads.
        await using var allowed = FerryProcess.Start(
            "run", "--kubeconfig", serviceAccount, "--pools", pools, "--lease-namespace", "ferry-system", "--identity", "sa-test",
            "--targets", "endpoints", "--lease-duration", "2", "--renew-deadline", "1.5", "--retry-period", "0.3");
        Assert.True(await allowed.WaitForOutputAsync("Lease ferry-system/ferry-controller", _wait), allowed.Output);
        Assert.DoesNotContain("may not", allowed.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex("token: \\S+")]
    private static partial Regex TokenLine();

    /// <summary>A <c>ferry api</c> process on a free port (disposed here if it does not start) and the kubeconfig it wrote.</summary>
    private async Task<(FerryProcess Api, string Kubeconfig)> StartApiAsync(params string[] flags)
    {
        var api = FerryProcess.Start(["api", "--data-dir", Path.Combine(_directory, "data"), "--listen", "127.0.0.1:0", .. flags]);
        if (!await api.WaitForOutputAsync("export KUBECONFIG=", _wait))
        {
            var output = api.Output;
            await api.DisposeAsync();
            Assert.Fail("ferry api did not start: " + output);
        }

        return (api, KubeconfigLine().Match(api.Output).Groups["kubeconfig"].Value);
    }

    private async Task<string> WritePoolsAsync(string addresses)
    {
        var pools = Path.Combine(_directory, "pools.yaml");
        await File.WriteAllTextAsync(pools, $"pools:\n  - name: default\n    addresses: [{addresses}]\n", TestContext.Current.CancellationToken);
        return pools;
    }

    [Fact]
    public async Task Run_AgainstApiServer_LeadsServesServiceAndStopsOnSigterm()
    {
        var ct = TestContext.Current.CancellationToken;
        var (api, kubeconfig) = await StartApiAsync();
        await using var apiScope = api;

        var prefix = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.");
        var pools = Path.Combine(_directory, "pools.yaml");
        await File.WriteAllTextAsync(pools, $"pools:\n  - name: default\n    addresses: [{prefix}0/24]\n", ct);
        // The default Lease timings: the first replica creates the Lease at once and releases it on
        // SIGTERM, so nothing waits for them, and a busy machine cannot make it miss a 1.5 s renew
        // deadline (a real loss of the Lease, logged at Warning, which this test must not see). The admin
        // endpoint on a free port: the default one may be held by a ferry of another test, a warning too.
        await using var ferry = FerryProcess.Start(
            "run", "--kubeconfig", kubeconfig, "--pools", pools, "--targets", "endpoints",
            "--lease-namespace", "default", "--identity", "cli-test", "--admin-listen", "127.0.0.1:0");
        Assert.True(await ferry.WaitForOutputAsync("cli-test is the leader", _wait), ferry.Output);

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var ip = await CreateServiceAndWaitForIpAsync(client, ct);
        Assert.StartsWith(prefix, ip, StringComparison.Ordinal);
        var vip = new IPEndPoint(IPAddress.Parse(ip), 8080);
        Assert.True(await AcceptsAsync(vip), ferry.Output);
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("ferry-controller", "default", cancellationToken: ct);
        Assert.Equal("cli-test", lease.Spec.HolderIdentity);

        await ferry.SignalAsync("TERM");
        Assert.Equal(0, await ferry.WaitForExitAsync(_wait));
        Assert.False(await AcceptsAsync(vip), "listeners close on SIGTERM");
        lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("ferry-controller", "default", cancellationToken: ct);
        Assert.True(string.IsNullOrEmpty(lease.Spec.HolderIdentity), "the lease is released on a clean stop");

        // A planned handover reads as one: the signal once, stepping down at Information, "Stopped" last.
        var output = ferry.Output;
        Assert.True(Regex.Count(output, "SIGTERM: stopping") == 1, output);
        Assert.True(output.Contains("cli-test stepping down because it is stopping", StringComparison.Ordinal), output);
        Assert.False(output.Contains("no longer the leader", StringComparison.Ordinal), output);
        Assert.False(output.Contains("warn: Ferry.Controller.LeaderElection", StringComparison.Ordinal), output);
        Assert.False(output.Contains("warn: Ferry.Hosting", StringComparison.Ordinal), output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines[^1].Contains("Stopped: controller, listeners, leader election and admin endpoint all ended", StringComparison.Ordinal), output);
    }

    [Fact]
    public async Task Run_TwoReplicasLeaderKilled_StandbyTakesOverTheVip()
    {
        var ct = TestContext.Current.CancellationToken;
        var (api, kubeconfig) = await StartApiAsync();
        await using var apiScope = api;
        var prefix = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.");
        var pools = Path.Combine(_directory, "pools.yaml");
        await File.WriteAllTextAsync(pools, $"pools:\n  - name: default\n    addresses: [{prefix}0/24]\n", ct);
        FerryProcess Replica(string identity) => FerryProcess.Start(
            "run", "--kubeconfig", kubeconfig, "--pools", pools, "--targets", "endpoints",
            "--lease-namespace", "default", "--identity", identity, "--lease-duration", "2", "--renew-deadline", "1.5", "--retry-period", "0.3");

        await using var a = Replica("replica-a");
        Assert.True(await a.WaitForOutputAsync("replica-a is the leader", _wait), a.Output);
        await using var b = Replica("replica-b");
        Assert.True(await b.WaitForOutputAsync("The leader is replica-a", _wait), b.Output);
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var vip = new IPEndPoint(IPAddress.Parse(await CreateServiceAndWaitForIpAsync(client, ct)), 8080);
        Assert.True(await AcceptsAsync(vip), a.Output);
        Assert.DoesNotContain("replica-b is the leader", b.Output, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        await a.SignalAsync("KILL");
        await a.WaitForExitAsync(_wait);
        Assert.True(await b.WaitForOutputAsync("replica-b is the leader", _wait), b.Output);
        var deadline = DateTime.UtcNow + _wait;
        while (!await AcceptsAsync(vip))
        {
            Assert.True(DateTime.UtcNow < deadline, b.Output);
            await Task.Delay(20, ct);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ferry run: SIGKILL of the leader to the standby serving the VIP: {clock.Elapsed.TotalSeconds:F2} s (lease 2 s)"));
    }

    private static async Task<string> CreateServiceAndWaitForIpAsync(Kubernetes client, CancellationToken ct)
    {
        await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 8080, TargetPort = 9376, Protocol = "TCP" }] },
            },
            "default",
            cancellationToken: ct);
        var deadline = DateTime.UtcNow + _wait;
        while (DateTime.UtcNow < deadline)
        {
            var service = await client.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: ct);
            if (service.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip is { } ip)
            {
                return ip;
            }

            await Task.Delay(50, ct);
        }

        throw new TimeoutException("web got no IP");
    }

    private static async Task<bool> AcceptsAsync(IPEndPoint endPoint)
    {
        using var socket = new TcpClient(AddressFamily.InterNetwork);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.ConnectAsync(endPoint, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
