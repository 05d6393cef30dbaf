namespace Ferry.Controller.Serving;

/// <summary>How a replica publishes itself and finds the others through the API server.</summary>
public sealed record ReplicaDirectoryOptions
{
    /// <summary>The namespace of the replicas' Leases (the leader-election Lease's namespace).</summary>
    public required string Namespace { get; init; }

    /// <summary>What this replica publishes.</summary>
    public required ReplicaRecord Self { get; init; }

    /// <summary>How often it renews its Lease and lists the others: its only steady-state write.</summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A replica whose Lease was not renewed for this long is forgotten (its heartbeats decide liveness long before).</summary>
    public TimeSpan ForgetAfter { get; init; } = TimeSpan.FromSeconds(60);
}
