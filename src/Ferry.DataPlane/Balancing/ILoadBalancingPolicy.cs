using System.Net;
using Ferry.DataPlane.Backends;

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

    /// <summary>
    /// Picks again for a connection whose connect to the backends in <paramref name="exclude"/> failed: one of
    /// the other available backends, or null when none is left. Use it to retry another backend.
    /// </summary>
    /// <remarks>
    /// The default asks <see cref="Pick(BackendSnapshot, IPAddress)"/> once and, if that lands on a tried
    /// backend, takes the next untried one in the snapshot. Hashing policies override it to go where the client
    /// would go if the tried backends were gone, so a retried client lands consistently.
    /// </remarks>
    BackendState? Pick(BackendSnapshot snapshot, IPAddress client, ReadOnlySpan<BackendState> exclude)
    {
        var picked = Pick(snapshot, client);
        if (picked is null || exclude.IsEmpty || !Excluded.Contains(exclude, picked))
        {
            return picked;
        }

        var available = snapshot.Available;
        var start = 0;
        for (var i = 0; i < available.Count; i++)
        {
            if (ReferenceEquals(available[i], picked))
            {
                start = i;
                break;
            }
        }

        for (var step = 1; step < available.Count; step++)
        {
            var candidate = available[(start + step) % available.Count];
            if (!Excluded.Contains(exclude, candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
