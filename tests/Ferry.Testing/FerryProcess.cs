using System.Diagnostics;
using System.Text;

namespace Ferry.Testing;

/// <summary>The real <c>ferry</c> executable in a child process; output captured, killed by PID on dispose.</summary>
public sealed class FerryProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private FerryProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>ferry</c> with the signal dispositions of the test process, whatever they are: run from a
    /// background job, SIGINT is ignored and the child inherits that, so stop it with <see cref="StopAsync"/>
    /// (SIGTERM), never with SIGINT.
    /// </summary>
    public static FerryProcess Start(params string[] args) => Start(SigintDisposition.Inherited, args);

    /// <summary>
    /// As <see cref="Start(string[])"/>, with environment variables set (or, for a null value, removed)
    /// for the child only, e.g. <c>KUBECONFIG</c> and <c>HOME</c> to test how ferry finds its cluster.
    /// </summary>
    public static FerryProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args) => Start(SigintDisposition.Inherited, args, environment);

    /// <summary>
    /// Starts <c>ferry</c> with SIGINT reset to its default disposition, as in a terminal where the user
    /// presses Ctrl-C, even when the test process inherited an "ignore" (a background job). Through
    /// coreutils' <c>env --default-signal=INT</c>, which then execs, so <see cref="Id"/> is ferry's PID; a
    /// shell's <c>trap - INT</c> cannot do this, since POSIX shells keep signals ignored on entry.
    /// </summary>
    public static FerryProcess StartWithDefaultSigint(params string[] args) => Start(SigintDisposition.Default, args);

    /// <summary>
    /// Starts <c>ferry</c> with SIGINT ignored, as a background job of a shell starts it (the case where the
    /// test runner itself was started so), to show that how the tests stop it does not depend on SIGINT.
    /// </summary>
    public static FerryProcess StartWithSigintIgnored(params string[] args) => Start(SigintDisposition.Ignored, args);

    /// <summary>
    /// Starts <c>ferry</c> under a command that execs its arguments, e.g. <c>["unshare", "--user"]</c> (no
    /// privilege) or <c>["ip", "netns", "exec", NAME]</c> (another network namespace), with
    /// <paramref name="environment"/> as <see cref="Start(IReadOnlyDictionary{string, string?}, string[])"/> takes it.
    /// </summary>
    public static FerryProcess StartUnder(string[] wrapper, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Start(SigintDisposition.Inherited, args, environment, wrapper);

    /// <summary>Asks <c>ferry</c> to stop cleanly: SIGTERM, which no shell or runner ignores on its behalf.</summary>
    public Task StopAsync() => SignalAsync("TERM");

    /// <summary>Sends a POSIX signal (e.g. TERM, HUP) to the process.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits (bounded) until the output contains <paramref name="text"/>.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static FerryProcess Start(SigintDisposition sigint, string[] args, IReadOnlyDictionary<string, string?>? environment = null, string[]? wrapper = null)
    {
        var ferry = Path.Combine(AppContext.BaseDirectory, "ferry.dll");
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        switch (sigint)
        {
            case SigintDisposition.Default:
                info.FileName = "env";
                info.ArgumentList.Add("--default-signal=INT");
                info.ArgumentList.Add("dotnet");
                break;
            case SigintDisposition.Ignored:
                // A shell can set "ignore" (only not undo it); exec keeps the PID ferry's.
                info.FileName = "sh";
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add("trap '' INT; exec \"$0\" \"$@\"");
                info.ArgumentList.Add("dotnet");
                break;
            case SigintDisposition.Inherited when wrapper is [var program, .. var rest]:
                info.FileName = program;
                foreach (var arg in rest)
                {
                    info.ArgumentList.Add(arg);
                }

                info.ArgumentList.Add("dotnet");
                break;
            default:
                info.FileName = "dotnet";
                break;
        }

        // Tests share this host's network namespace and run in parallel: the kernel plane (one nftables table per
        // host) is for the tests that ask for it (--data-plane kernel, or this variable), in namespaces they create.
        info.Environment["FERRY_DATA_PLANE"] = "userspace";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        info.ArgumentList.Add(ferry);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new FerryProcess(Process.Start(info)!);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
