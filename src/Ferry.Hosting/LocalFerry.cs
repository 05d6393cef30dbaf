using System.Diagnostics.Metrics;
using Ferry.ApiServer;
using Ferry.Controller;
using Ferry.Controller.Translation;
using Ferry.Hosting.Admin;
using Ferry.Hosting.Status;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary>
/// <c>ferry up</c>: the embedded API server, the service controller and the data plane in one
/// process. There is no kube-proxy locally, so Services are served straight to their endpoints.
/// </summary>
public sealed partial class LocalFerry : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Kubernetes _client;
    private readonly Task _controller;
    private readonly ILogger _logger;
    private readonly ControllerMetrics? _controllerMetrics;
    private readonly FerryMeterFactory? _ownedMeters;

    private LocalFerry(ApiServerHandle api, Kubernetes client, ControllerHost host, ControllerMetrics? controllerMetrics, FerryMeterFactory? ownedMeters, ILogger logger)
    {
        Api = api;
        _client = client;
        Host = host;
        _controllerMetrics = controllerMetrics;
        _ownedMeters = ownedMeters;
        _logger = logger;
        _controller = RunControllerAsync();
    }

    public ApiServerHandle Api { get; }

    /// <summary>The embedded API server's HTTPS URL, with the bound port.</summary>
    public Uri ApiUrl => Api.Url;

    /// <summary>The kubeconfig for kubectl, written to the data directory.</summary>
    public string KubeconfigPath => Api.KubeconfigPath;

    public ControllerHost Host { get; }

    /// <summary>A client for the embedded API server (tests use it).</summary>
    public IKubernetes Client => _client;

    /// <summary>
    /// The admin endpoint, when <see cref="LocalFerryOptions.Admin"/> asked for one (null also when its
    /// address was taken and <see cref="AdminEndpointOptions.Optional"/>).
    /// </summary>
    public AdminEndpoint? Admin { get; private set; }

    /// <summary>For <c>/readyz</c>: ready once the controller has synced its caches and rebuilt its allocations.</summary>
    public AdminReadiness GetReadiness() => Host.Controller.IsReady
        ? AdminReadiness.Ready()
        : AdminReadiness.NotReady("controller: caches not synced or allocations not rebuilt yet");

    /// <summary>For <c>/status</c> and <c>ferry status</c>: every load balancer and every pool.</summary>
    public StatusDocument GetStatus() => StatusDocuments.Build("up", null, Host.DataPlane.GetStats(), Host.Allocator);

    /// <summary>Starts the API server, the controller and, if asked for, the admin endpoint.</summary>
    /// <param name="meterFactory">Where Ferry's meters come from; when null and an admin endpoint is asked for, one of Ferry's own.</param>
    /// <param name="timeProvider">The clock of every part; the system clock when null.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<LocalFerry> StartAsync(LocalFerryOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken, IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(LocalFerryOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        var time = timeProvider ?? TimeProvider.System;
        var api = await ApiServerHost.StartAsync(
            new ApiServerOptions { DataDirectory = options.DataDirectory, Listen = options.ApiListen, BootstrapDefinitions = Controller.Pools.FerryDefinitions.All },
            loggerFactory,
            time,
            cancellationToken);
        // The admin endpoint exports the meters of one factory: the caller's, or one of our own.
        var ownedMeters = meterFactory is null && options.Admin is not null ? new FerryMeterFactory() : null;
        var meters = meterFactory ?? ownedMeters;
        var controllerMetrics = meters is null ? null : new ControllerMetrics(meters);
        LocalFerry ferry;
        try
        {
            var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
            var host = new ControllerHost(
                client,
                new ControllerHostOptions
                {
                    Pools = options.Pools,
                    Controller = new ControllerOptions { Workers = options.ControllerWorkers, Translation = new TranslationOptions { DefaultTargets = TargetMode.Endpoints } },
                    AbsentResourceRetry = options.AbsentResourceRetry,
                    DataPlane = options.DataPlane,
                },
                loggerFactory,
                time,
                meters,
                controllerMetrics);
            ferry = new LocalFerry(api, client, host, controllerMetrics, ownedMeters, loggerFactory.CreateLogger<LocalFerry>());
        }
        catch
        {
            controllerMetrics?.Dispose();
            ownedMeters?.Dispose();
            await api.DisposeAsync();
            throw;
        }

        ferry.Admin = await AdminEndpoint.StartForAsync(ferry, options.Admin, meters, ferry.GetReadiness, loggerFactory, cancellationToken, ferry.GetStatus);
        return ferry;
    }

    /// <summary>Stops the admin endpoint and the controller, closes listeners, then stops the API server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Admin is not null)
        {
            await Admin.DisposeAsync();
        }

        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // the controller task was started by this object
        await _controller;
#pragma warning restore VSTHRD003
        await Host.DisposeAsync();
        _client.Dispose();
        await Api.DisposeAsync();
        _controllerMetrics?.Dispose();
        _ownedMeters?.Dispose();
        _stop.Dispose();
    }

    private async Task RunControllerAsync()
    {
        await Task.Yield();
        try
        {
            await Host.RunAsync(_stop.Token);
        }
        catch (Exception ex) when (!_stop.IsCancellationRequested)
        {
            Log.ControllerFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5000, LogLevel.Critical, "The service controller stopped unexpectedly")]
        public static partial void ControllerFailed(ILogger logger, Exception exception);
    }
}
