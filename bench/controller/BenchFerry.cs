using Ferry.Hosting;
using Ferry.Ipam;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Controller.Bench;

/// <summary>
/// <c>ferry up</c> in process: <see cref="LocalFerry"/> itself, the very composition <c>ferry up</c> boots,
/// with one service worker (what <c>ferry up</c> runs) or more, to see what the controller's concurrency changes.
/// </summary>
internal sealed class BenchFerry : IAsyncDisposable
{
    private readonly LocalFerry _local;

    private BenchFerry(LocalFerry local) => _local = local;

    public IKubernetes Client => _local.Client;

    public ControllerHost Host => _local.Host;

    public static async Task<BenchFerry> StartAsync(string dataDirectory, AddressPool pool, int workers)
    {
        var listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0);
        return new BenchFerry(await LocalFerry.StartAsync(
            new LocalFerryOptions { DataDirectory = dataDirectory, ApiListen = listen, Pools = [pool], ControllerWorkers = workers },
            NullLoggerFactory.Instance,
            CancellationToken.None));
    }

    public ValueTask DisposeAsync() => _local.DisposeAsync();
}
