using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;

namespace Ferry.ApiServer.Tests;

/// <summary>Durability: kill -9 the server process during a stream of writes; every acknowledged write must survive.</summary>
public class CrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kill9_DuringWrites_EveryAcknowledgedWriteSurvivesRestart()
    {
        var dir = TestApiServer.NewDataDirectory();
        try
        {
            var acknowledged = new ConcurrentDictionary<string, long>();
            using (var host = await HostProcess.StartAsync(dir))
            {
                using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(host.Kubeconfig));
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                var writers = Enumerable.Range(0, 4).Select(w => Task.Run(
                    async () =>
                    {
                        for (var i = 0; i < 10_000 && !stop.IsCancellationRequested; i++)
                        {
                            var name = string.Create(CultureInfo.InvariantCulture, $"w{w}-{i}");
                            try
                            {
                                var created = await client.CoreV1.CreateNamespacedConfigMapAsync(
                                    new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["i"] = name } },
                                    "default",
                                    cancellationToken: stop.Token);
                                acknowledged[name] = long.Parse(created.Metadata.ResourceVersion, CultureInfo.InvariantCulture);
                            }
                            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or k8s.Autorest.HttpOperationException)
                            {
                                return;
                            }
                        }
                    },
                    stop.Token)).ToArray();

                for (var i = 0; i < 200 && acknowledged.Count < 60; i++)
                {
                    await Task.Delay(25, Ct);
                }

                host.Kill();
                await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30), Ct);
                await stop.CancelAsync();
            }

            Assert.True(acknowledged.Count >= 20, "too few writes were acknowledged before the kill: " + acknowledged.Count);
            using (var host = await HostProcess.StartAsync(dir))
            {
                using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(host.Kubeconfig));
                var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
                var stored = list.Items.ToDictionary(c => c.Metadata.Name, c => c);
                foreach (var (name, rv) in acknowledged)
                {
                    Assert.True(stored.TryGetValue(name, out var cm), "acknowledged write lost: " + name);
                    Assert.Equal(rv.ToString(CultureInfo.InvariantCulture), cm.Metadata.ResourceVersion);
                    Assert.Equal(name, cm.Data["i"]);
                }

                var next = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after-restart" } }, "default", cancellationToken: Ct);
                Assert.True(long.Parse(next.Metadata.ResourceVersion, CultureInfo.InvariantCulture) > acknowledged.Values.Max());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The server in a child process (tests/Ferry.ApiServer.TestHost).</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly Process _process;

        private HostProcess(Process process, string kubeconfig)
        {
            _process = process;
            Kubeconfig = kubeconfig;
        }

        public string Kubeconfig { get; }

        public static async Task<HostProcess> StartAsync(string dataDirectory)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Ferry.ApiServer.TestHost.dll");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("exec");
            psi.ArgumentList.Add(dll);
            psi.ArgumentList.Add(dataDirectory);
            var process = Process.Start(psi)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    throw new InvalidOperationException("test host exited: " + await process.StandardError.ReadToEndAsync(Ct));
                }

                if (line.StartsWith("READY ", StringComparison.Ordinal))
                {
                    return new HostProcess(process, line["READY ".Length..]);
                }
            }
        }

        public void Kill()
        {
            // Process.Kill sends SIGKILL on Unix: no shutdown code runs.
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }
            }

            _process.Dispose();
        }
    }
}
