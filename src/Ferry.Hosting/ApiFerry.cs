using Ferry.ApiServer;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary><c>ferry api</c>: the embedded Kubernetes-compatible API server alone; dispose to stop it (state stays on disk).</summary>
public sealed class ApiFerry : IAsyncDisposable
{
    private readonly ApiServerHandle _api;

    private ApiFerry(ApiServerHandle api) => _api = api;

    /// <summary>The HTTPS URL clients use, with the bound port.</summary>
    public Uri Url => _api.Url;

    /// <summary>The kubeconfig written to the data directory, for kubectl.</summary>
    public string KubeconfigPath => _api.KubeconfigPath;

    /// <summary>Starts the server; returns once it accepts connections and the kubeconfig is written.</summary>
    /// <param name="timeProvider">The server's clock; the system clock when null.</param>
    /// <exception cref="ArgumentException">The options are invalid, or the token or policy file cannot be read (the message names the line).</exception>
    public static async Task<ApiFerry> StartAsync(ApiFerryOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(ApiFerryOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        return new ApiFerry(await ApiServerHost.StartAsync(
            new ApiServerOptions
            {
                DataDirectory = options.DataDirectory,
                Listen = options.Listen,
                TokenAuthFile = options.TokenAuthFile,
                AuthorizationPolicyFile = options.AuthorizationPolicyFile,
                AuditLogPath = options.AuditLogPath,
                ServiceAllocation = options.ServiceAllocation,
                BootstrapDefinitions = Controller.Pools.FerryDefinitions.All,
            },
            loggerFactory,
            timeProvider ?? TimeProvider.System,
            cancellationToken));
    }

    public ValueTask DisposeAsync() => _api.DisposeAsync();
}
