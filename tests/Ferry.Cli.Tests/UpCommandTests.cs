using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Ferry.Cli.Tests;

/// <summary>
/// The README quick start, automated: the real <c>ferry up</c> process driven by the real kubectl, with real
/// bytes through the Service's external IP, and a restart that keeps the IPs.
/// </summary>
public sealed partial class UpCommandTests : IDisposable
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-up-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [GeneratedRegex("export KUBECONFIG=(?<kubeconfig>\\S+)")]
    private static partial Regex KubeconfigLine();

    [GeneratedRegex(@"^example-service\s+LoadBalancer\s+\S+\s+(?<ip>\d+\.\d+\.\d+\.\d+)\s", RegexOptions.Multiline)]
    private static partial Regex ExternalIpRow();

    [GeneratedRegex(@"^(?<name>keeper)\s+LoadBalancer\s+\S+\s+(?<ip>\d+\.\d+\.\d+\.\d+)\s", RegexOptions.Multiline)]
    private static partial Regex KeeperIpRow();

    private static async Task<(int ExitCode, string Output)> KubectlAsync(string kubeconfig, string cacheDir, string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--kubeconfig", kubeconfig, "--cache-dir", cacheDir }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var cts = new CancellationTokenSource(_wait);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Runs kubectl until <paramref name="match"/> holds on its output (at most 100 tries, 10 s).</summary>
    private static async Task<string> KubectlUntilAsync(string kubeconfig, string cacheDir, Func<string, bool> match, params string[] args)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var output = "";
        for (var i = 0; i < 100 && DateTime.UtcNow < deadline; i++)
        {
            (_, output) = await KubectlAsync(kubeconfig, cacheDir, null, args);
            if (match(output))
            {
                return output;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"kubectl {string.Join(' ', args)} never matched; last output:\n{output}");
        return output;
    }

    private static async Task<string> StartedKubeconfigAsync(FerryProcess ferry)
    {
        Assert.True(await ferry.WaitForOutputAsync("export KUBECONFIG=", _wait), ferry.Output);
        var match = KubeconfigLine().Match(ferry.Output);
        Assert.True(match.Success, ferry.Output);
        return match.Groups["kubeconfig"].Value;
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static string EndpointSlice(string name, string service, IPEndPoint backend) => $$"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: {{name}}
          labels: { kubernetes.io/service-name: {{service}} }
        addressType: IPv4
        ports: [{ port: {{backend.Port.ToString(CultureInfo.InvariantCulture)}}, protocol: TCP }]
        endpoints: [{ addresses: ["{{backend.Address}}"], conditions: { ready: true } }]
        """;

    [Fact]
    public async Task Up_ReadmeQuickStartWithKubectl_ServesThroughExternalIpAndKeepsIpsOverRestart()
    {
        Assert.SkipUnless(InstalledTools.HasKubectl, InstalledTools.NoKubectl);
        var a = Random.Shared.Next(1, 255);
        var c = Random.Shared.Next(0, 256);
        var poolPrefix = $"127.{a}.{c}.";
        var pool = $"{poolPrefix}0/28";
        var dataDir = Path.Combine(_directory, "data");
        var cache = Path.Combine(_directory, "kube-cache");
        var port = FreePort();

        string keeperIp;
        await using (var ferry = FerryProcess.Start("up", "--data-dir", dataDir, "--api-listen", "127.0.0.1:0", "--pool", pool))
        {
            var kubeconfig = await StartedKubeconfigAsync(ferry);

            var (code, output) = await KubectlAsync(kubeconfig, cache, null, "create", "deployment", "example", "--image=example");
            Assert.True(code == 0, output);
            (code, output) = await KubectlAsync(
                kubeconfig, cache, null, "expose", "deployment", "example", $"--port={port}", "--target-port=9376", "--name=example-service", "--type=LoadBalancer");
            Assert.True(code == 0, output);

            // What a script waits on: the condition Ferry sets once the address is assigned.
            (code, output) = await KubectlAsync(kubeconfig, cache, null, "wait", "--for=condition=ferry.dev/AddressAssigned", "svc/example-service", "--timeout=30s");
            Assert.True(code == 0, output);
            Assert.Contains("service/example-service condition met", output, StringComparison.Ordinal);

            output = await KubectlUntilAsync(kubeconfig, cache, o => ExternalIpRow().IsMatch(o), "get", "svc", "example-service");
            var ip = ExternalIpRow().Match(output).Groups["ip"].Value;
            Assert.StartsWith(poolPrefix, ip, StringComparison.Ordinal);
            Assert.Contains($"{port}:", output, StringComparison.Ordinal);

            output = await KubectlUntilAsync(kubeconfig, cache, o => o.Contains("EnsuredLoadBalancer", StringComparison.Ordinal), "describe", "services", "example-service");
            Assert.Matches($@"LoadBalancer Ingress:\s+{Regex.Escape(ip)}", output);
            Assert.Matches(@"Normal\s+EnsuringLoadBalancer\s+\S+\s+service-controller", output);
            Assert.Matches(@"Normal\s+EnsuredLoadBalancer\s+\S+\s+service-controller", output);

            var backendAddress = IPAddress.Parse($"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}");
            await using var backend = new GreetingBackend(backendAddress, "hello-from-backend");
            (code, output) = await KubectlAsync(kubeconfig, cache, EndpointSlice("example-service-local", "example-service", backend.EndPoint), "apply", "-f", "-");
            Assert.True(code == 0, output);

            var vip = new IPEndPoint(IPAddress.Parse(ip), port);
            Assert.Equal("hello-from-backend", await GreetingThroughAsync(vip, expectServed: true));

            // A second Service, alive over the restart below.
            (code, output) = await KubectlAsync(
                kubeconfig, cache, null, "expose", "deployment", "example", $"--port={port}", "--target-port=9376", "--name=keeper", "--type=LoadBalancer");
            Assert.True(code == 0, output);
            output = await KubectlUntilAsync(kubeconfig, cache, o => KeeperIpRow().IsMatch(o), "get", "svc", "keeper");
            keeperIp = KeeperIpRow().Match(output).Groups["ip"].Value;
            Assert.StartsWith(poolPrefix, keeperIp, StringComparison.Ordinal);
            Assert.NotEqual(ip, keeperIp);

            (code, output) = await KubectlAsync(kubeconfig, cache, null, "delete", "svc", "example-service");
            Assert.True(code == 0, output);
            Assert.Null(await GreetingThroughAsync(vip, expectServed: false));

            await ferry.StopAsync();
            Assert.Equal(0, await ferry.WaitForExitAsync(_wait));
        }

        await using (var again = FerryProcess.Start("up", "--data-dir", dataDir, "--api-listen", "127.0.0.1:0", "--pool", pool))
        {
            var kubeconfig = await StartedKubeconfigAsync(again);
            var output = await KubectlUntilAsync(kubeconfig, cache, o => KeeperIpRow().IsMatch(o), "get", "svc", "keeper");
            Assert.Equal(keeperIp, KeeperIpRow().Match(output).Groups["ip"].Value);
            var (code, all) = await KubectlAsync(kubeconfig, cache, null, "get", "svc");
            Assert.True(code == 0, all);
            Assert.DoesNotContain("example-service", all, StringComparison.Ordinal);

            await again.StopAsync();
            Assert.Equal(0, await again.WaitForExitAsync(_wait));
        }
    }

    /// <summary>
    /// Polls (at most 100 tries, 10 s) until a connection to <paramref name="vip"/> gets the backend's greeting
    /// (<paramref name="expectServed"/>) or is refused (otherwise); returns the last greeting, null when refused.
    /// </summary>
    private static async Task<string?> GreetingThroughAsync(IPEndPoint vip, bool expectServed)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string? greeting = null;
        for (var i = 0; i < 100 && DateTime.UtcNow < deadline; i++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                greeting = await GreetingBackend.ReadAsync(vip, cts.Token);
            }
            catch (OperationCanceledException)
            {
                greeting = "";
            }

            if (expectServed ? !string.IsNullOrEmpty(greeting) : greeting is null)
            {
                return greeting;
            }

            await Task.Delay(100);
        }

        return greeting;
    }
}
