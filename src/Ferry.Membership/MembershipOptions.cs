using System.Net;
using System.Text;

namespace Ferry.Membership;

/// <summary>
/// How a replica takes part in the heartbeat membership (docs/design/0004-membership.md).
/// </summary>
/// <param name="LocalName">This replica's name, unique among the replicas (the node name).</param>
/// <param name="Listen">The UDP endpoint to listen on; heartbeats are sent from it too.</param>
public sealed record MembershipOptions(string LocalName, IPEndPoint Listen)
{
    /// <summary>The longest name or configuration digest a heartbeat carries, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 253;

    /// <summary>The longest configuration digest a heartbeat carries, in UTF-8 bytes.</summary>
    public const int MaxDigestBytes = 255;

    /// <summary>The shortest accepted shared key: HMAC-SHA256 with fewer than 16 bytes of key is guessable.</summary>
    public const int MinSharedKeyBytes = 16;

    /// <summary>How often a heartbeat goes to every known peer.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A peer is alive while heard within this time. 500 ms: five heartbeats, so four lost in a row are
    /// tolerated, and detection (at most this plus one evaluation tick of 50 ms) leaves about 400 ms of the
    /// one-second failover budget for the new owner's claim.
    /// </summary>
    public TimeSpan FailureTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A peer learned only from its heartbeats (not discovered) is forgotten after this much silence.</summary>
    public TimeSpan ForgetAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A digest of this replica's configuration (e.g. a hash of the pools file), sent to peers so a difference is visible.</summary>
    public string ConfigDigest { get; init; } = "";

    /// <summary>
    /// When set, every heartbeat carries an HMAC-SHA256 over it with this key, and datagrams without a valid
    /// one are dropped and counted. Every replica must have the same key (or none).
    /// </summary>
#pragma warning disable CA1819 // The key is handed over as bytes (from a Secret); the record does not expose it further.
    public byte[]? SharedKey { get; init; }
#pragma warning restore CA1819

    /// <summary>Every problem with these options, as sentences; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(LocalName))
        {
            problems.Add("the local name is empty");
        }
        else if (Encoding.UTF8.GetByteCount(LocalName) > MaxNameBytes)
        {
            problems.Add($"the local name is longer than {MaxNameBytes} bytes");
        }

        if (Listen is null)
        {
            problems.Add("no listen endpoint");
        }

        if (HeartbeatInterval < TimeSpan.FromMilliseconds(10))
        {
            problems.Add($"the heartbeat interval ({HeartbeatInterval.TotalMilliseconds} ms) is under 10 ms");
        }

        if (FailureTimeout < 2 * HeartbeatInterval)
        {
            problems.Add($"the failure timeout ({FailureTimeout.TotalMilliseconds} ms) is under two heartbeat intervals ({2 * HeartbeatInterval.TotalMilliseconds} ms): one lost datagram would declare a peer dead");
        }

        if (ForgetAfter < FailureTimeout)
        {
            problems.Add($"forget-after ({ForgetAfter.TotalMilliseconds} ms) is under the failure timeout ({FailureTimeout.TotalMilliseconds} ms)");
        }

        if (ConfigDigest is null)
        {
            problems.Add("the configuration digest is null (use \"\" for none)");
        }
        else if (Encoding.UTF8.GetByteCount(ConfigDigest) > MaxDigestBytes)
        {
            problems.Add($"the configuration digest is longer than {MaxDigestBytes} bytes");
        }

        if (SharedKey is { Length: < MinSharedKeyBytes })
        {
            problems.Add($"the shared key has {SharedKey.Length} bytes; at least {MinSharedKeyBytes} are needed");
        }

        return problems;
    }
}
