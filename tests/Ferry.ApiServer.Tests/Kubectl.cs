using System.Diagnostics;

namespace Ferry.ApiServer.Tests;

/// <summary>Runs the real kubectl against a test server, with its own cache directory.</summary>
internal sealed class Kubectl : IDisposable
{
    /// <summary>The kubectl on PATH (CI installs one in /usr/local/bin when the machine has none), else /usr/bin/kubectl.</summary>
    public static readonly string Path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => System.IO.Path.Combine(dir, "kubectl"))
        .FirstOrDefault(File.Exists) ?? "/usr/bin/kubectl";
    private readonly string _kubeconfig;
    private readonly string _cacheDir;
    private readonly string _binary;

    public Kubectl(string kubeconfig, string? binary = null)
    {
        _kubeconfig = kubeconfig;
        _binary = binary ?? Path;
        _cacheDir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ferry-kubectl-cache", Guid.NewGuid().ToString("N"));
    }

    public static bool Available => File.Exists(Path);

    public static string? SkipReason => Available ? null : "kubectl is not installed at " + Path;

    /// <summary>The versioned kubectl binaries gcloud bundles (kubectl.1.27 … kubectl.1.33), when present.</summary>
    public static string Bundled(string minor) => "/usr/lib/google-cloud-sdk/bin/kubectl." + minor;

    public async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string args, string? stdin = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in SplitArgs(args))
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(_kubeconfig);
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(_cacheDir);
        psi.Environment["HOME"] = _cacheDir;
        psi.Environment["KUBECACHEDIR"] = _cacheDir;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts kubectl without waiting (for <c>get -w</c> and <c>delete</c> that waits).</summary>
    public Process Start(string args)
    {
        var psi = new ProcessStartInfo(_binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in SplitArgs(args))
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(_kubeconfig);
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(_cacheDir);
        psi.Environment["HOME"] = _cacheDir;
        return Process.Start(psi)!;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_cacheDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static List<string> SplitArgs(string args)
    {
        var result = new List<string>();
        var current = new System.Text.StringBuilder();
        var quote = '\0';
        foreach (var c in args)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ' ')
            {
                if (current.Length > 0)
                {
                    result.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            result.Add(current.ToString());
        }

        return result;
    }
}
