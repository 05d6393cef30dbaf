using System.CommandLine;
using Ferry.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Cli.Commands;

/// <summary>
/// <c>ferry api --data-dir DIR [--listen 127.0.0.1:6443] [--service-cluster-ip-range 10.96.0.0/12[,IPV6-CIDR]]</c>: the embedded Kubernetes-compatible API
/// server alone (docs/local-mode.md). It writes <c>DIR/kubeconfig</c> for kubectl.
/// </summary>
internal static partial class ApiCommand
{
    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Where state (SQLite), the TLS certificate, the token and the kubeconfig live; created if missing.",
            DefaultValueFactory = _ => new DirectoryInfo(".ferry"),
        };
        var listen = new Option<string>("--listen")
        {
            Description = "The address and port to serve on (port 0 picks a free one).",
            DefaultValueFactory = _ => "127.0.0.1:6443",
        };
        var tokenAuthFile = new Option<FileInfo>("--token-auth-file")
        {
            Description = "Extra users besides the kubeconfig's admin, as kube-apiserver's flag: CSV lines token,user,uid,\"group1,group2\" (docs/local-mode.md).",
        };
        var policyFile = new Option<FileInfo>("--authorization-policy-file")
        {
            Description = "What those users may do, as kube-apiserver's ABAC policy file: one Policy JSON object per line (docs/local-mode.md).",
        };
        var auditLog = new Option<FileInfo>("--audit-log-path")
        {
            Description = "Append every request to this file as kube-apiserver's audit log at level Metadata: one audit.k8s.io/v1 Event JSON line each (verb, user, source address, User-Agent, object, status).",
        };
        var serviceRange = new Option<string>("--service-cluster-ip-range")
        {
            Description = "Cluster IPs of Services, as kube-apiserver's flag: an IPv4 CIDR, optionally followed by ',' and an IPv6 CIDR (/108 to /126) that admits single-stack IPv6 Services.",
            DefaultValueFactory = _ => "10.96.0.0/12",
        };
        var logLevel = ConsoleLogging.CreateLevelOption();
        var command = new Command("api", "Run the embedded Kubernetes-compatible API server alone; kubectl uses DIR/kubeconfig.")
        {
            dataDir,
            listen,
            tokenAuthFile,
            policyFile,
            auditLog,
            serviceRange,
            logLevel,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetRequiredValue(dataDir).FullName,
            parseResult.GetRequiredValue(listen),
            parseResult.GetValue(tokenAuthFile)?.FullName,
            parseResult.GetValue(policyFile)?.FullName,
            parseResult.GetValue(auditLog)?.FullName,
            parseResult.GetRequiredValue(serviceRange),
            ConsoleLogging.Parse(parseResult.GetRequiredValue(logLevel)),
            parseResult.InvocationConfiguration,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string dataDirectory, string listen, string? tokenAuthFile, string? policyFile, string? auditLogPath, string serviceRange, LogLevel level, InvocationConfiguration console, CancellationToken cancellationToken)
    {
        using var loggerFactory = ConsoleLogging.Create(level);
        var logger = loggerFactory.CreateLogger("Ferry.Cli.Api");
        using var stop = new StopSignals(logger, cancellationToken);
        ApiFerryOptions options;
        try
        {
            options = new ApiFerryOptions { DataDirectory = dataDirectory, Listen = ListenAddress.Parse(listen), TokenAuthFile = tokenAuthFile, AuthorizationPolicyFile = policyFile, AuditLogPath = auditLogPath };
        }
        catch (FormatException e)
        {
            await console.Error.WriteLineAsync($"--listen: {e.Message}");
            return 2;
        }

        options = options with { ServiceClusterIPRange = serviceRange };
        if (options.Validate().Any(p => p.StartsWith(nameof(ApiFerryOptions.ServiceClusterIPRange), StringComparison.Ordinal)))
        {
            await console.Error.WriteLineAsync($"--service-cluster-ip-range: {serviceRange} is not an IPv4 CIDR (/8 to /30) optionally followed by ',' and an IPv6 CIDR (/108 to /126)");
            return 2;
        }

        try
        {
            await using var server = await ApiFerry.StartAsync(options, loggerFactory, stop.Token);
            await console.Output.WriteLineAsync($"Ferry API listening on {server.Url} — export KUBECONFIG={server.KubeconfigPath}");
            await stop.WaitAsync();

            Log.Stopped(logger);
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            // A port in use, another server on the same data directory, an unwritable directory, or a bad token or policy file.
            Log.NotStarting(logger, e.Message);
            return 1;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(7000, LogLevel.Critical, "Not starting: {Reason}")]
        public static partial void NotStarting(ILogger logger, string reason);

        [LoggerMessage(7001, LogLevel.Information, "Stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
