using Ferry.Controller.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Hosting.Tests.Serving;

/// <summary>The replica directory against the embedded API server: Leases published, listed, and listed again soon on demand.</summary>
public sealed class ReplicaDirectoryTests : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ElectionCluster? _cluster;

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task AReplicaStartedAfterTheListing_IsListedOnListSoon_NotAtTheNextRenewal_WithItsMacs()
    {
        _cluster = await ElectionCluster.StartAsync();
        var first = Directory("node1", "02:00:00:00:00:01");
        first.ListAgainWhile = () => first.Peers.Count == 0;
        var listings = 0;
        first.PeersChanged += _ => Interlocked.Increment(ref listings);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = first.RunAsync(stop.Token);
        await UntilAsync(() => Volatile.Read(ref listings) == 1, "the first listing (nobody else)");
        Assert.Empty(first.Peers);

        // node2 appears after node1 listed; node1's next renewal is a minute away.
        await Directory("node2", "02:00:00:00:00:02").RefreshAsync(Ct);
        var asked = System.Diagnostics.Stopwatch.StartNew();
        first.ListSoon();

        await UntilAsync(() => first.Peers.Count == 1, "node2 listed");
        Assert.True(asked.Elapsed < TimeSpan.FromSeconds(10), $"listed {asked.Elapsed} after ListSoon");
        Assert.True(first.IsPeerHardwareAddress("02:00:00:00:00:02"));
        await stop.CancelAsync();
        await running;
    }

    private ReplicaDirectory Directory(string name, string mac) => new(
        _cluster!.Client,
        new ReplicaDirectoryOptions { Namespace = "default", Self = new ReplicaRecord(name, "192.0.2.1:7947", "d", [mac]), RenewInterval = TimeSpan.FromMinutes(1) },
        TimeProvider.System,
        NullLogger<ReplicaDirectory>.Instance);

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what + " not within " + ElectionCluster.Wait);
            await Task.Delay(50, Ct);
        }
    }
}
