using k8s;

namespace Ferry.Hosting.Tests;

/// <summary>One running <see cref="ClusterFerry"/> with its own client; <see cref="StopAsync"/> stops it like SIGTERM would.</summary>
internal sealed class Replica : IAsyncDisposable
{
    private readonly Kubernetes _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public Replica(string identity, Kubernetes client, ClusterFerry ferry)
    {
        Identity = identity;
        _client = client;
        Ferry = ferry;
        _run = Task.Run(() => ferry.RunAsync(_stop.Token));
    }

    public string Identity { get; }

    public ClusterFerry Ferry { get; }

    public bool IsRunning => !_stop.IsCancellationRequested;

    /// <summary>Stops campaigning; returns once its controller stopped and its listeners closed.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }
}
