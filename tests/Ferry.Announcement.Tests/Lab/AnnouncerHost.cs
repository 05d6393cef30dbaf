using System.Diagnostics;
using System.Text.Json;

namespace Ferry.Announcement.Tests.Lab;

/// <summary>
/// Ferry.Announcement.TestHost running inside a namespace (<c>ip netns exec</c> execs it, so the PID is the
/// host's): one command per line in, one JSON line out. Dispose quits it politely, then kills it by PID.
/// </summary>
internal sealed class AnnouncerHost : IAsyncDisposable
{
    private readonly Process _process;

    private AnnouncerHost(Process process) => _process = process;

    public int ProcessId => _process.Id;

    /// <summary>Starts the host in <paramref name="ns"/>, optionally under a wrapper (e.g. setpriv dropping a capability).</summary>
    public static AnnouncerHost Start(string ns, params string[] wrapper)
    {
        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        foreach (var argument in (string[])["netns", "exec", ns, .. wrapper, dotnet, Path.Combine(AppContext.BaseDirectory, "Ferry.Announcement.TestHost.dll")])
        {
            info.ArgumentList.Add(argument);
        }

        return new AnnouncerHost(Process.Start(info) ?? throw new InvalidOperationException("could not start the announcer host"));
    }

    public async Task<JsonElement> SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _process.StandardOutput.ReadLineAsync(limit.Token)
            ?? throw new InvalidOperationException($"the announcer host exited after '{command}'");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>kill -9: no cleanup runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(limit.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await SendAsync("quit");
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
            {
                // Fall through to the kill.
            }

            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }
}
