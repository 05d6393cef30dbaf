using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Ferry.Cli.Tests;

/// <summary><c>ferry api</c> as a user runs it: the real process, then the real kubectl with the kubeconfig it wrote.</summary>
public sealed partial class ApiCommandTests : IDisposable
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("ferry-api-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [GeneratedRegex("Ferry API listening on (?<url>https://\\S+) — export KUBECONFIG=(?<kubeconfig>\\S+)")]
    private static partial Regex ListeningLine();

    private static async Task<(int ExitCode, string Output)> KubectlAsync(string kubeconfig, string cacheDir, params string[] args)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--kubeconfig", kubeconfig, "--cache-dir", cacheDir }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(_wait);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Api_PrintsKubeconfigThatKubectlUsesAndStopsOnSigint()
    {
        Assert.SkipUnless(InstalledTools.HasKubectl, InstalledTools.NoKubectl);
        var dataDir = Path.Combine(_directory, "data");
        // Ctrl-C in a terminal: SIGINT at its default disposition, however this test run was launched.
        await using var ferry = FerryProcess.StartWithDefaultSigint("api", "--data-dir", dataDir, "--listen", "127.0.0.1:0");

        Assert.True(await ferry.WaitForOutputAsync("export KUBECONFIG=", _wait), ferry.Output);
        var match = ListeningLine().Match(ferry.Output);
        Assert.True(match.Success, ferry.Output);
        var kubeconfig = match.Groups["kubeconfig"].Value;
        Assert.Equal(Path.Combine(dataDir, "kubeconfig"), kubeconfig);

        var cache = Path.Combine(_directory, "kube-cache");
        var (code, output) = await KubectlAsync(kubeconfig, cache, "get", "svc", "-n", "default");
        Assert.True(code == 0, output);
        Assert.Matches(@"kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443/TCP", output);

        await ferry.SignalAsync("INT");
        Assert.Equal(0, await ferry.WaitForExitAsync(_wait));
    }

    /// <summary>
    /// Started as a background job starts it (SIGINT ignored, which .NET keeps), <c>ferry</c> does not see
    /// Ctrl-C; SIGTERM, how the tests stop every other child, still stops it cleanly.
    /// </summary>
    [Fact]
    public async Task Api_SigintIgnoredAtStart_StopsCleanlyOnSigterm()
    {
        await using var ferry = FerryProcess.StartWithSigintIgnored("api", "--data-dir", Path.Combine(_directory, "data"), "--listen", "127.0.0.1:0");
        Assert.True(await ferry.WaitForOutputAsync("export KUBECONFIG=", _wait), ferry.Output);

        await ferry.StopAsync();

        Assert.Equal(0, await ferry.WaitForExitAsync(_wait));
        Assert.Contains("SIGTERM: stopping", ferry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_DataDirectoryInUse_SecondServerRefusesToStart()
    {
        var dataDir = Path.Combine(_directory, "data");
        await using var first = FerryProcess.Start("api", "--data-dir", dataDir, "--listen", "127.0.0.1:0");
        Assert.True(await first.WaitForOutputAsync("export KUBECONFIG=", _wait), first.Output);

        await using var second = FerryProcess.Start("api", "--data-dir", dataDir, "--listen", "127.0.0.1:0");

        Assert.Equal(1, await second.WaitForExitAsync(_wait));
        Assert.Contains("Not starting", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_BadListenAddress_ExitsTwo()
    {
        await using var ferry = FerryProcess.Start("api", "--data-dir", Path.Combine(_directory, "data"), "--listen", "not-an-address");
        Assert.Equal(2, await ferry.WaitForExitAsync(_wait));
        Assert.Contains("--listen", ferry.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_AuditLogPath_AppendsAnEventPerRequest()
    {
        var audit = Path.Combine(_directory, "audit.log");
        await using var ferry = FerryProcess.Start("api", "--data-dir", Path.Combine(_directory, "data"), "--listen", "127.0.0.1:0", "--audit-log-path", audit);
        Assert.True(await ferry.WaitForOutputAsync("export KUBECONFIG=", _wait), ferry.Output);
        var url = new Uri(ListeningLine().Match(ferry.Output).Groups["url"].Value);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { BaseAddress = url };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1");

        using var response = await http.GetAsync(new Uri("/version", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode);
        // The Event is appended once the response is complete: wait for it, bounded.
        var deadline = DateTime.UtcNow + _wait;
        var lines = Array.Empty<string>();
        while (!lines.Any(l => l.Contains("\"requestURI\":\"/version\"", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            lines = File.Exists(audit) ? await File.ReadAllLinesAsync(audit, TestContext.Current.CancellationToken) : [];
        }

        var line = Assert.Single(lines, l => l.Contains("\"requestURI\":\"/version\"", StringComparison.Ordinal));
        Assert.Contains("\"apiVersion\":\"audit.k8s.io/v1\"", line, StringComparison.Ordinal);
        Assert.Contains("\"userAgent\":\"audit-test/1\"", line, StringComparison.Ordinal);
        await ferry.StopAsync();
        Assert.Equal(0, await ferry.WaitForExitAsync(_wait));
    }

    [Theory]
    [InlineData("fd00:10:96::/112")]
    [InlineData("10.96.0.0/12,fd00::/64")]
    [InlineData("10.96.0.0/12,fd00:10:96::/112,10.0.0.0/16")]
    public async Task Api_BadServiceClusterIPRange_ExitsTwo(string range)
    {
        await using var ferry = FerryProcess.Start("api", "--data-dir", Path.Combine(_directory, "data"), "--listen", "127.0.0.1:0", "--service-cluster-ip-range", range);
        Assert.Equal(2, await ferry.WaitForExitAsync(_wait));
        Assert.Contains($"--service-cluster-ip-range: {range} is not an IPv4 CIDR", ferry.Output, StringComparison.Ordinal);
    }
}
