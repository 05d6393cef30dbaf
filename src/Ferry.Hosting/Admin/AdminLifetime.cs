using Microsoft.Extensions.Hosting;

namespace Ferry.Hosting.Admin;

/// <summary>
/// A host lifetime that leaves signals alone: the process that embeds the admin endpoint decides
/// when it stops (as the API server's embedded lifetime does).
/// </summary>
internal sealed class AdminLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
