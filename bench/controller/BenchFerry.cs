using Ferry.ApiServer;
using Ferry.Controller.Translation;
using Ferry.Hosting;
using Ferry.Ipam;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Controller.Bench;

/// <summary>
/// <c>ferry up</c> in process: <see cref="LocalFerry"/> itself with one worker (what <c>ferry up</c> runs), or the
/// same parts wired by hand with more service workers (LocalFerry has no setting for that), to see what the
/// controller's concurrency changes.
/// </summary>
internal sealed class BenchFerry : IAsyncDisposable
{
    private readonly LocalFerry? _local;
    private readonly ApiServerHandle? _api;
    private readonly Kubernetes? _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run = Task.CompletedTask;

    private BenchFerry(LocalFerry local)
    {
        _local = local;
        Client = local.Client;
        Host = local.Host;
    }

    private BenchFerry(ApiServerHandle api, Kubernetes client, ControllerHost host)
    {
        _api = api;
        _client = client;
        Client = client;
        Host = host;
        _run = Task.Run(() => host.RunAsync(_stop.Token));
    }

    public IKubernetes Client { get; }

    public ControllerHost Host { get; }

    public static async Task<BenchFerry> StartAsync(string dataDirectory, AddressPool pool, int workers)
    {
        var listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0);
        if (workers <= 1)
        {
            return new BenchFerry(await LocalFerry.StartAsync(
                new LocalFerryOptions { DataDirectory = dataDirectory, ApiListen = listen, Pools = [pool] }, NullLoggerFactory.Instance, CancellationToken.None));
        }

        // The same wiring as LocalFerry.StartAsync, with Workers set.
        var api = await ApiServerHost.StartAsync(new ApiServerOptions { DataDirectory = dataDirectory, Listen = listen }, NullLoggerFactory.Instance, CancellationToken.None);
        var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
        var host = new ControllerHost(
            client,
            new ControllerHostOptions
            {
                Pools = [pool],
                Controller = new ControllerOptions { Workers = workers, Translation = new TranslationOptions { DefaultTargets = TargetMode.Endpoints } },
            },
            NullLoggerFactory.Instance,
            TimeProvider.System);
        return new BenchFerry(api, client, host);
    }

    public async ValueTask DisposeAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }
        else
        {
            await _stop.CancelAsync();
            await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Host.DisposeAsync();
            _client!.Dispose();
            await _api!.DisposeAsync();
        }

        _stop.Dispose();
    }
}
