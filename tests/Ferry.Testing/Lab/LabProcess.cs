using System.ComponentModel;
using System.Diagnostics;

namespace Ferry.Testing.Lab;

/// <summary>
/// A long-running process started in a lab namespace (<c>ip netns exec NS FILE ARGS</c>, which execs, so
/// <see cref="Pid"/> is the program's own PID). Standard output and error are kept, interleaved, as the
/// last <see cref="MaxLines"/> lines. The lab kills it by PID when it is disposed, whatever happened.
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    /// <summary>How many output lines are kept (the oldest are dropped first).</summary>
    public const int MaxLines = 20_000;

    private static readonly TimeSpan _exitWait = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly Lock _lock = new();
    private int? _exitCode;

    private LabProcess(Process process, string namespaceName, string description)
    {
        _process = process;
        NamespaceName = namespaceName;
        Description = description;
        Pid = process.Id;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process ID (in the root PID namespace, which the lab shares).</summary>
    public int Pid { get; }

    /// <summary>The network namespace it runs in.</summary>
    public string NamespaceName { get; }

    /// <summary>The command line, for messages.</summary>
    public string Description { get; }

    /// <summary>True once it has exited (and been reaped).</summary>
    public bool HasExited => _exitCode is not null || _process.HasExited;

    /// <summary>The exit code once it has exited (-1 when it never was seen to exit), else null.</summary>
    public int? ExitCode => _exitCode ?? (_process.HasExited ? _process.ExitCode : null);

    /// <summary>The kept output lines, oldest first.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The kept output as one text.</summary>
    public string Output => string.Join('\n', Lines);

    /// <summary>Sends <paramref name="signal"/> by PID; false when the process is gone already.</summary>
    public bool Signal(LabSignal signal)
    {
        if (HasExited)
        {
            return false;
        }

        if (LibC.Kill(Pid, (int)signal) != 0)
        {
            var error = new Win32Exception();
            return error.NativeErrorCode == 3 ? false : throw error; // ESRCH: already gone
        }

        return true;
    }

    /// <summary>Sends <paramref name="signal"/> (default SIGKILL) and waits, bounded, until the process has exited; returns its exit code.</summary>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="timeout"/> (default 20 s).</exception>
    public async Task<int> KillAsync(LabSignal signal = LabSignal.Kill, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Signal(signal);
        return await WaitForExitAsync(timeout ?? _exitWait, cancellationToken);
    }

    /// <summary>
    /// Waits, bounded, until the process has exited; returns its exit code. Polls (every 10 ms) rather than
    /// <see cref="Process.WaitForExitAsync"/>, which also waits for the end of the output, held open by any
    /// child the process left behind.
    /// </summary>
    /// <exception cref="TimeoutException">It did not exit in time.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (!HasExited)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{Description} (PID {Pid}) did not exit within {timeout.TotalSeconds} s. Output:\n{Output}");
            }

            await Task.Delay(10, cancellationToken);
        }

        return ExitCode ?? -1;
    }

    /// <summary>Waits (polling every 20 ms, bounded) until an output line contains <paramref name="text"/>; false after <paramref name="timeout"/> or when the process exits without it.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (Lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return true;
            }

            if (_process.HasExited)
            {
                // Output read after exit may still be in flight for a moment; one more look.
                await Task.Delay(100, cancellationToken);
                return Lines.Any(line => line.Contains(text, StringComparison.Ordinal));
            }

            await Task.Delay(20, cancellationToken);
        }

        return false;
    }

    /// <summary>SIGKILL if still running, then waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_exitCode is not null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                Signal(LabSignal.Kill);
                await WaitForExitAsync(_exitWait);
            }

            _exitCode = _process.ExitCode;
        }
        finally
        {
            _exitCode ??= -1;
            _process.Dispose();
        }
    }

    public override string ToString() => $"{Description} (PID {Pid} in {NamespaceName})";

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/> in namespace <paramref name="namespaceName"/>; <paramref name="environment"/> adds variables (a null value removes one).</summary>
    internal static LabProcess Start(string namespaceName, string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = false, UseShellExecute = false };
        string[] args = [.. arguments];
        foreach (var arg in (string[])["netns", "exec", namespaceName, file, .. args])
        {
            info.ArgumentList.Add(arg);
        }

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

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        return new LabProcess(process, namespaceName, string.Join(' ', [file, .. args]));
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
