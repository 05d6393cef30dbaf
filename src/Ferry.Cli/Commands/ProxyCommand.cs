using System.CommandLine;
using System.Runtime.InteropServices;
using Ferry.Contracts;
using Ferry.Hosting;
using Ferry.Standalone;
using Ferry.Standalone.Configuration;
using Microsoft.Extensions.Logging;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry proxy --config FILE</c>: the data plane alone, driven by a YAML file (docs/proxy-config.md).
/// Reloads when the file changes or on SIGHUP; the first SIGINT/SIGTERM stops in order (the reload loop
/// ends, then the provider is disposed, closing its sockets and health checks), a second one exits at once.
/// </summary>
internal static partial class ProxyCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "The YAML file of load balancers (see docs/proxy-config.md).",
            Required = true,
        };
        var logLevel = ConsoleLogging.CreateLevelOption();
        var check = new Option<bool>("--check")
        {
            Description = "Only check the file: print every error and exit 1, or exit 0 if it is valid (like nginx -t).",
        };

        var dataPlane = DataPlaneOption.Create();
        var command = new Command("proxy", "Run the standalone L4 balancer from a YAML file; reloads when the file changes or on SIGHUP.")
        {
            config,
            dataPlane,
            logLevel,
            check,
        };
        command.SetAction((parseResult, cancellationToken) => parseResult.GetValue(check)
            ? CheckAsync(parseResult.GetRequiredValue(config).FullName, parseResult.InvocationConfiguration, cancellationToken)
            : RunAsync(
                parseResult.GetRequiredValue(config).FullName,
                parseResult.GetValue(dataPlane),
                ConsoleLogging.Parse(parseResult.GetRequiredValue(logLevel)),
                parseResult.InvocationConfiguration,
                cancellationToken));
        return command;
    }

    /// <summary>
    /// Runs socket completions on the epoll thread instead of queueing each to the thread pool: the
    /// data plane never blocks there, and docs/performance-notes.md has it measured at −41 % CPU per request (keep-alive) and
    /// −35 % per new connection. The runtime reads the variable once, at the first socket operation,
    /// which has not happened yet here. An explicit setting by the user wins.
    /// </summary>
    internal static void EnableInlineSocketCompletions()
    {
        const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    /// <summary><c>--check</c>: parse the file the way a reload would, report, and start nothing.</summary>
    private static async Task<int> CheckAsync(string configPath, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        string content;
        try
        {
            content = await File.ReadAllTextAsync(configPath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await console.Error.WriteLineAsync($"{configPath}: cannot read the file: {e.Message}");
            return 1;
        }

        var result = StandaloneConfigParser.Parse(content);
        foreach (var error in result.Errors)
        {
            var location = error.Line > 0 ? $"{configPath}:{error.Line}:{error.Column}" : configPath;
            await console.Error.WriteLineAsync($"{location}: {error}");
        }

        if (!result.IsValid)
        {
            return 1;
        }

        await console.Output.WriteLineAsync($"{configPath}: OK, {result.LoadBalancers.Count} load balancer(s): {string.Join(", ", result.LoadBalancers.Select(l => l.Key.Name))}");
        return 0;
    }

    private static async Task<int> RunAsync(string configPath, string? dataPlaneText, LogLevel level, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        EnableInlineSocketCompletions();
        if (DataPlaneOption.Resolve(dataPlaneText, await DataPlaneOfFileAsync(configPath, cancellationToken), out var dataPlaneProblem) is not { } dataPlane)
        {
            await console.Error.WriteLineAsync(dataPlaneProblem);
            return 2;
        }

        using var loggerFactory = ConsoleLogging.Create(level);
        var logger = loggerFactory.CreateLogger("Ferry.Cli.Proxy");
        var time = TimeProvider.System;
        using var stop = new StopSignals(logger, cancellationToken);

        ProxyFerry proxy;
        try
        {
            proxy = ProxyFerry.Create(configPath, loggerFactory, time, dataPlane: dataPlane);
        }
        catch (DataPlaneUnavailableException e)
        {
            Log.NoDataPlane(logger, e.Message);
            return 1;
        }

        try
        {
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                proxy.RequestReload();
            });

            Log.Starting(logger, VersionCommand.Version, configPath);
            try
            {
                await proxy.RunAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
            {
                // A signal during the first load: as clean a stop as one later.
            }

            Log.Draining(logger);
            return 0;
        }
        catch (StandaloneConfigException e)
        {
            Log.NotStarting(logger, e.Path, e.Errors.Count);
            return 1;
        }
        finally
        {
            await proxy.DisposeAsync();
            Log.Stopped(logger);
        }
    }

    /// <summary>The file's <c>dataPlane</c> key, read once at start; an unreadable or invalid file has none here (the balancer reports it).</summary>
    private static async Task<DataPlaneMode?> DataPlaneOfFileAsync(string configPath, CancellationToken cancellationToken)
    {
        try
        {
            return StandaloneConfigParser.Parse(await File.ReadAllTextAsync(configPath, cancellationToken)).DataPlane;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(7104, LogLevel.Critical, "Not starting: {Reason}")]
        public static partial void NoDataPlane(ILogger logger, string reason);

        [LoggerMessage(7100, LogLevel.Information, "ferry {Version} proxy: config {Path}; edit the file or send SIGHUP to reload, Ctrl-C to stop")]
        public static partial void Starting(ILogger logger, string version, string path);

        [LoggerMessage(7101, LogLevel.Critical, "Not starting: {Path} has {Count} error(s), listed above")]
        public static partial void NotStarting(ILogger logger, string path, int count);

        [LoggerMessage(7102, LogLevel.Information, "Closing listeners and connections")]
        public static partial void Draining(ILogger logger);

        [LoggerMessage(7103, LogLevel.Information, "Stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
