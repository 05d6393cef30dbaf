using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ferry.Cli.Tests;

/// <summary><c>ferry proxy --config FILE</c> as a user runs it: a real process, real sockets, file edits, signals.</summary>
public sealed class ProxyCommandTests : IDisposable
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-proxy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IPAddress RandomLoopback() =>
        IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(2, 255)}"));

    private static int FreePort(IPAddress address)
    {
        using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static string Config(IPAddress vip, int port, params IPEndPoint[] backends) => $"""
        loadBalancers:
          - name: web
            addresses: [{vip}]
            algorithm: roundRobin
            listeners:
              - protocol: TCP
                port: {port}
                backends:
        {string.Join("\n", backends.Select(b => $"              - {{ address: {b.Address}, port: {b.Port} }}"))}
                healthCheck: {"{"} type: tcp, intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 2 {"}"}
        """;

    private static async Task<HashSet<string>> GreetingsAsync(IPEndPoint vip, int connections, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < connections; i++)
        {
            if (await GreetingBackend.ReadAsync(vip, cancellationToken) is { Length: > 0 } greeting)
            {
                seen.Add(greeting);
            }
        }

        return seen;
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + _wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    [Fact]
    public async Task Proxy_ServesReloadsKeepsOldOnBadFileAndStopsOnSigterm()
    {
        var ct = TestContext.Current.CancellationToken;
        var backendAddress = RandomLoopback();
        await using var a = new GreetingBackend(backendAddress, "a");
        await using var b = new GreetingBackend(backendAddress, "b");
        var vipAddress = RandomLoopback();
        var vip = new IPEndPoint(vipAddress, FreePort(vipAddress));
        var path = Path.Combine(_directory, "proxy.yaml");
        await File.WriteAllTextAsync(path, Config(vipAddress, vip.Port, a.EndPoint, b.EndPoint), ct);

        await using var ferry = FerryProcess.Start("proxy", "--config", path);

        Assert.True(await EventuallyAsync(async () => (await GreetingsAsync(vip, 1, ct)).Count == 1), "ferry never served\n" + ferry.Output);
        Assert.Equal(["a", "b"], (await GreetingsAsync(vip, 6, ct)).Order());

        // A bad file is refused with the field named, and the old config keeps serving.
        await File.WriteAllTextAsync(path, Config(vipAddress, 70000, a.EndPoint), ct);
        Assert.True(await ferry.WaitForOutputAsync("listeners[0].port", _wait), ferry.Output);
        Assert.Equal(["a", "b"], (await GreetingsAsync(vip, 6, ct)).Order());

        // A good edit is applied: only b is left.
        await File.WriteAllTextAsync(path, Config(vipAddress, vip.Port, b.EndPoint), ct);
        Assert.True(await EventuallyAsync(async () => (await GreetingsAsync(vip, 6, ct)).SetEquals(["b"])), ferry.Output);

        await ferry.SignalAsync("TERM");
        Assert.Equal(0, await ferry.WaitForExitAsync(_wait));
        Assert.Null(await GreetingBackend.ReadAsync(vip, ct));
    }

    [Fact]
    public async Task Proxy_InvalidFileAtStart_ExitsOneNamingTheField()
    {
        var path = Path.Combine(_directory, "bad.yaml");
        await File.WriteAllTextAsync(path, "loadBalancers:\n  - name: web\n    addresses: [127.0.0.1]\n    algorithm: fastest\n    listeners: []\n", TestContext.Current.CancellationToken);

        await using var ferry = FerryProcess.Start("proxy", "--config", path);

        Assert.Equal(1, await ferry.WaitForExitAsync(_wait));
        Assert.Contains("loadBalancers[0].algorithm", ferry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_AnUnknownDataPlaneInTheEnvironment_ExitsTwoNamingTheVariable()
    {
        var path = Path.Combine(_directory, "empty.yaml");
        await File.WriteAllTextAsync(path, "loadBalancers: []\n", TestContext.Current.CancellationToken);

        await using var ferry = FerryProcess.Start(new Dictionary<string, string?> { ["FERRY_DATA_PLANE"] = "ebpf" }, "proxy", "--config", path);

        Assert.Equal(2, await ferry.WaitForExitAsync(_wait));
        Assert.Contains("$FERRY_DATA_PLANE: \"ebpf\" is not one of auto, userspace, kernel", ferry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_KernelPlaneWithoutThePrivilege_ExitsOneSayingWhy_AndAutoFallsBackToUserspace()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!await UnprivilegedUserNamespacesWorkAsync())
        {
            Assert.Skip("unshare --user does not work here (user namespaces disabled), so no process without CAP_NET_ADMIN can be started");
        }

        var path = Path.Combine(_directory, "kernel.yaml");
        await File.WriteAllTextAsync(path, "dataPlane: kernel\nloadBalancers: []\n", ct);
        var env = new Dictionary<string, string?>();

        // In a new user namespace the process has no privilege over this host's network namespace.
        await using (var kernel = FerryProcess.StartUnder(["unshare", "--user"], env, "proxy", "--config", path))
        {
            Assert.Equal(1, await kernel.WaitForExitAsync(_wait));
            Assert.Contains("--data-plane kernel: ", kernel.Output, StringComparison.Ordinal);
        }

        // The flag wins over the file: auto says why it runs userspace, and serves.
        await using var auto = FerryProcess.StartUnder(["unshare", "--user"], env, "proxy", "--config", path, "--data-plane", "auto");
        Assert.True(await auto.WaitForOutputAsync("Data plane: userspace for every listener; the kernel plane cannot run here:", _wait), auto.Output);
        await auto.StopAsync();
        Assert.True(await auto.WaitForExitAsync(_wait) == 0, auto.Output);
    }

    private static async Task<bool> UnprivilegedUserNamespacesWorkAsync()
    {
        using var probe = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unshare", ["--user", "true"]) { RedirectStandardError = true });
        if (probe is null)
        {
            return false;
        }

        await probe.WaitForExitAsync(TestContext.Current.CancellationToken);
        return probe.ExitCode == 0;
    }
}
