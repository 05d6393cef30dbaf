namespace Ferry.Controller.LeaderElection;

/// <summary>
/// Decides, from successive reads of the Lease, when a replica that stopped leading knows that another
/// replica leads now: it read the Lease held by another identity, and read it again with a different
/// renewal time from that same holder, so the holder is alive and renewing.
/// </summary>
/// <remarks>
/// Two reads of the same holder are compared with each other, never a renewal time with the local
/// clock, so the rule holds with any clock skew between replicas (the reason client-go's elector
/// times a lease from its own observation, not from <c>renewTime</c>). A released Lease (empty holder)
/// or one held by this replica is no evidence and starts over.
/// </remarks>
public sealed class SuccessorWitness(string identity)
{
    private LeaseObservation? _first;

    /// <summary>The holder that has been seen renewing, once <see cref="Observe"/> returned true.</summary>
    public string? Successor { get; private set; }

    /// <summary>Takes one read of the Lease; true once another identity has been seen holding and renewing it.</summary>
    public bool Observe(LeaseObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (Successor is not null)
        {
            return true;
        }

        if (string.IsNullOrEmpty(observation.HolderIdentity) || observation.HolderIdentity == identity || observation.RenewTime is null)
        {
            _first = null;
            return false;
        }

        if (_first is { } first && first.HolderIdentity == observation.HolderIdentity && first.RenewTime != observation.RenewTime)
        {
            Successor = observation.HolderIdentity;
            return true;
        }

        if (_first?.HolderIdentity != observation.HolderIdentity)
        {
            _first = observation;
        }

        return false;
    }

    /// <summary>Forgets what was seen (this replica leads again).</summary>
    public void Reset()
    {
        _first = null;
        Successor = null;
    }
}
