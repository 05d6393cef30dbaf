using System.CommandLine;
using Ferry.Hosting;
using Ferry.Hosting.Admin;
using Ferry.Ipam;
using Microsoft.Extensions.Logging;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry up</c>: the embedded API server, the service controller and the data plane in one process
/// (docs/local-mode.md). Services of type LoadBalancer get an IP from the pool and are served there.
/// </summary>
internal static partial class UpCommand
{
    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Where state, the TLS certificate, the token and the kubeconfig live; created if missing.",
            DefaultValueFactory = _ => new DirectoryInfo(".ferry"),
        };
        var apiListen = new Option<string>("--api-listen")
        {
            Description = "The API server's address and port (port 0 picks a free one).",
            DefaultValueFactory = _ => "127.0.0.1:6443",
        };
        var pools = new Option<string[]>("--pool")
        {
            Description = "An address range for external IPs, as a CIDR or first-last; repeat for more.",
            DefaultValueFactory = _ => [LocalFerryOptions.DefaultPool],
            AllowMultipleArgumentsPerToken = true,
        };
        var adminListen = new Option<string>("--admin-listen")
        {
            Description = $"The admin endpoint (/healthz, /readyz, /metrics, /status over plain HTTP): address and port, default {AdminEndpointOptions.DefaultListen}; port 0 picks a free one.",
            HelpName = "address:port",
        };
        var dataPlane = DataPlaneOption.Create();
        var logLevel = ConsoleLogging.CreateLevelOption();
        var command = new Command("up", "Run Ferry locally: embedded API server, service controller and data plane in one process.")
        {
            dataDir,
            apiListen,
            adminListen,
            pools,
            dataPlane,
            logLevel,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetRequiredValue(dataDir).FullName,
            parseResult.GetRequiredValue(apiListen),
            parseResult.GetValue(adminListen),
            parseResult.GetRequiredValue(pools),
            parseResult.GetValue(dataPlane),
            ConsoleLogging.Parse(parseResult.GetRequiredValue(logLevel)),
            parseResult.InvocationConfiguration,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string dataDirectory, string apiListen, string? adminListen, string[] poolTexts, string? dataPlaneText, LogLevel level, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        ProxyCommand.EnableInlineSocketCompletions();
        if (DataPlaneOption.Resolve(dataPlaneText, null, out var dataPlaneProblem) is not { } dataPlane)
        {
            await console.Error.WriteLineAsync(dataPlaneProblem);
            return 2;
        }

        var ranges = new List<AddressRange>();
        foreach (var text in poolTexts)
        {
            if (!AddressRange.TryParse(text, out var range, out var error))
            {
                await console.Error.WriteLineAsync($"--pool: {error}");
                return 2;
            }

            ranges.Add(range!);
        }

        LocalFerryOptions options;
        AdminEndpointOptions admin;
        try
        {
            admin = new AdminEndpointOptions
            {
                Listen = ListenAddress.Parse(adminListen ?? AdminEndpointOptions.DefaultListen),
                // Only the default address may be taken: another Ferry on this machine may hold it; serve on without.
                Optional = adminListen is null,
            };
        }
        catch (FormatException e)
        {
            await console.Error.WriteLineAsync($"--admin-listen: {e.Message}");
            return 2;
        }

        try
        {
            options = new LocalFerryOptions
            {
                DataDirectory = dataDirectory,
                ApiListen = ListenAddress.Parse(apiListen),
                Pools = [new AddressPool("default", [.. ranges])],
                Admin = admin,
                DataPlane = dataPlane,
            };
        }
        catch (FormatException e)
        {
            await console.Error.WriteLineAsync($"--api-listen: {e.Message}");
            return 2;
        }

        using var loggerFactory = ConsoleLogging.Create(level);
        var logger = loggerFactory.CreateLogger("Ferry.Cli.Up");
        using var stop = new StopSignals(logger, cancellationToken);
        try
        {
            await using var ferry = await LocalFerry.StartAsync(options, loggerFactory, stop.Token);
            await console.Output.WriteLineAsync($"Ferry API listening on {ferry.ApiUrl} — export KUBECONFIG={ferry.KubeconfigPath}");
            if (ferry.Admin is { } adminEndpoint)
            {
                await console.Output.WriteLineAsync($"Ferry admin endpoint on {adminEndpoint.Url} (/healthz, /readyz, /metrics, /status)");
            }

            await stop.WaitAsync();

            Log.Stopping(logger);
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            Log.NotStarting(logger, e.Message);
            return 1;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(7300, LogLevel.Critical, "Not starting: {Reason}")]
        public static partial void NotStarting(ILogger logger, string reason);

        [LoggerMessage(7301, LogLevel.Information, "Stopping: controller, listeners, then the API server")]
        public static partial void Stopping(ILogger logger);
    }
}
