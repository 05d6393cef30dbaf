using System.Diagnostics.Metrics;
using Ferry.ApiServer;
using Ferry.Controller;
using Ferry.Controller.Translation;
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

    private LocalFerry(ApiServerHandle api, Kubernetes client, ControllerHost host, ILogger logger)
    {
        Api = api;
        _client = client;
        Host = host;
        _logger = logger;
        _controller = RunControllerAsync();
    }

    public ApiServerHandle Api { get; }

    public ControllerHost Host { get; }

    /// <summary>A client for the embedded API server (tests use it).</summary>
    public IKubernetes Client => _client;

    public static async Task<LocalFerry> StartAsync(LocalFerryOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken, IMeterFactory? meterFactory = null)
    {
        var api = await ApiServerHost.StartAsync(
            new ApiServerOptions { DataDirectory = options.DataDirectory, Listen = options.ApiListen, TimeProvider = options.TimeProvider },
            loggerFactory,
            cancellationToken);
        try
        {
            var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
            var host = new ControllerHost(
                client,
                new ControllerHostOptions
                {
                    Pools = options.Pools,
                    Controller = new ControllerOptions { Translation = new TranslationOptions { DefaultTargets = TargetMode.Endpoints } },
                },
                loggerFactory,
                options.TimeProvider,
                meterFactory);
            return new LocalFerry(api, client, host, loggerFactory.CreateLogger<LocalFerry>());
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the controller, closes listeners, then stops the API server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // the controller task was started by this object
        await _controller;
#pragma warning restore VSTHRD003
        await Host.DisposeAsync();
        _client.Dispose();
        await Api.DisposeAsync();
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
        [LoggerMessage(1, LogLevel.Critical, "The service controller stopped unexpectedly")]
        public static partial void ControllerFailed(ILogger logger, Exception exception);
    }
}
