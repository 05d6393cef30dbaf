using System.Net;
using Ferry.DataPlane.State;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// Picks a backend for a new connection or UDP flow. One instance per listener; must be thread-safe.
/// </summary>
public interface ILoadBalancingPolicy
{
    /// <summary>
    /// Picks one of <paramref name="snapshot"/>'s available backends for a client, or null when there is none.
    /// </summary>
    /// <param name="snapshot">The backends that may take traffic.</param>
    /// <param name="client">The client's address (used by hashing policies).</param>
    BackendState? Pick(BackendSnapshot snapshot, IPAddress client);
}
