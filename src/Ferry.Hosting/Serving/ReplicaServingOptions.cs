using System.Net;
using Ferry.Contracts.Announcement;

namespace Ferry.Hosting.Serving;

/// <summary>How a <c>ferry run</c> replica announces and serves the addresses it owns (pools with <c>announce: l2</c>).</summary>
public sealed record ReplicaServingOptions
{
    /// <summary>The node this replica runs on: its name among the replicas, matched against Nodes and endpoints' <c>nodeName</c>.</summary>
    public required string NodeName { get; init; }

    /// <summary>How each pool is announced (from the pools file).</summary>
    public required IReadOnlyList<PoolAnnouncement> Announcements { get; init; }

    /// <summary>Where this replica hears heartbeats; the address is published to the others, so it must be one they reach.</summary>
    public required IPEndPoint HeartbeatListen { get; init; }

    /// <summary>Heartbeats are sent this often to every other replica.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A replica not heard from for this long is dead and its addresses move; null keeps the membership's default.</summary>
    public TimeSpan? FailureTimeout { get; init; }

    /// <summary>A secret every replica shares to sign heartbeats (HMAC-SHA256); null sends them unsigned.</summary>
    public byte[]? HeartbeatKey { get; init; }

    /// <summary>The dummy device announced addresses are put on.</summary>
    public string DeviceName { get; init; } = "ferry0";

    /// <summary>The namespace of the replicas' Leases.</summary>
    public string LeaseNamespace { get; init; } = Controller.LeaderElection.LeaderElectionOptions.DefaultLeaseNamespace;

    /// <summary>How often a replica renews its Lease (its one steady-state write).</summary>
    public TimeSpan DirectoryRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a pool kind the cluster does not serve (AddressPool, MetalLB's kinds) is looked for again.</summary>
    public TimeSpan AbsentResourceRetry { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(NodeName))
        {
            problems.Add($"{nameof(NodeName)}: must not be empty");
        }

        if (HeartbeatListen.Address.Equals(IPAddress.Any) || HeartbeatListen.Address.Equals(IPAddress.IPv6Any))
        {
            problems.Add($"{nameof(HeartbeatListen)}: must be an address the other replicas reach, not {HeartbeatListen.Address}");
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(HeartbeatInterval)}: must be positive");
        }

        if (FailureTimeout is { } timeout && timeout <= HeartbeatInterval * 2)
        {
            problems.Add($"{nameof(FailureTimeout)}: must be more than twice {nameof(HeartbeatInterval)}");
        }

        return problems;
    }
}
