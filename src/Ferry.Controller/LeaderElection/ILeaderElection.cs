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
    /// Why this replica cannot take part in the election now (the API server refused the Lease call),
    /// for <c>/readyz</c>; null when nothing is refused.
    /// </summary>
    string? Problem => null;

    /// <summary>
    /// Raised for each successful read of the Lease (on the election's thread; handlers must not block),
    /// so a replica that stopped leading can tell when another one leads (<see cref="SuccessorWitness"/>).
    /// </summary>
    event Action<LeaseObservation>? LeaseObserved
    {
        add { }
        remove { }
    }

    /// <summary>
    /// Campaigns until <paramref name="cancellationToken"/> is cancelled. Each time this replica
    /// becomes the leader it runs <paramref name="whileLeading"/> with a token that is cancelled when
    /// leadership is lost, waits for it to return, and campaigns again. If
    /// <paramref name="whileLeading"/> returns on its own, this replica steps down.
    /// </summary>
    Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken);
}
