using Microsoft.Extensions.Hosting;

namespace Ferry.ApiServer.Hosting;

/// <summary>
/// A host lifetime that leaves signals alone. The web host's default console lifetime stops the API
/// server on SIGINT/SIGTERM by itself, before the process that embeds it (e.g. <c>ferry up</c>) has
/// stopped its controller; the embedding process decides when the server stops.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
