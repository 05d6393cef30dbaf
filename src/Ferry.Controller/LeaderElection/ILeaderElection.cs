namespace Ferry.Controller.LeaderElection;

/// <summary>
/// Decides which replica runs the service controller, so that two replicas never program the same
/// VIPs or write the same Service status at once.
/// </summary>
public interface ILeaderElection
{
    /// <summary>True while this replica leads.</summary>
    bool IsLeader { get; }

    /// <summary>
    /// Campaigns until <paramref name="cancellationToken"/> is cancelled. Each time this replica
    /// becomes the leader it runs <paramref name="whileLeading"/> with a token that is cancelled when
    /// leadership is lost, waits for it to return, and campaigns again. If
    /// <paramref name="whileLeading"/> returns on its own, this replica steps down.
    /// </summary>
    Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken);
}
