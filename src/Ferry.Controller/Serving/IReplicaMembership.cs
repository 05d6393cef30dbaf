namespace Ferry.Controller.Serving;

/// <summary>
/// Which replicas are alive, as the replicas tell each other directly (heartbeats on the node network),
/// not through the API server, so ownership keeps working while the API server is away.
/// </summary>
public interface IReplicaMembership
{
    /// <summary>This replica's name (its node's name).</summary>
    string Self { get; }

    /// <summary>
    /// The replicas that may own addresses now: the live ones that are ready (this one once
    /// <see cref="MarkReady"/> was called, and until it leaves). A replica that just started is alive before
    /// it is ready; its peers keep what it would own until it is.
    /// </summary>
    IReadOnlyCollection<string> Candidates { get; }

    /// <summary>Says this replica can own addresses from now on (its caches are filled and the membership settled); idempotent.</summary>
    void MarkReady();

    /// <summary>
    /// False until the membership has heard the peers it knows of for long enough to tell the live from
    /// the dead: a replica that just started must not take addresses its live peers own.
    /// </summary>
    bool IsSettled { get; }

    /// <summary>True when the live replica <paramref name="replica"/> has withdrawn itself from <paramref name="key"/> (see <see cref="SetWithdrawn"/>).</summary>
    bool Withdraws(string replica, string key);

    /// <summary>
    /// Tells the other replicas which keys this replica withdraws from (replacing the last set): Services whose
    /// node health check fails here, so no replica makes this one their owner.
    /// </summary>
    void SetWithdrawn(IReadOnlyCollection<string> keys);

    /// <summary>Raised when a replica joins, dies or leaves, or changes what it withdraws from; handlers must not block.</summary>
    event Action? Changed;
}
