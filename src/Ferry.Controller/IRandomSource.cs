namespace Ferry.Controller;

/// <summary>
/// The controller's randomness (the informers' watch-timeout jitter), injected so tests can be
/// deterministic. Implementations are called from several informer loops at once and must be thread-safe.
/// </summary>
public interface IRandomSource
{
    /// <summary>A uniformly distributed integer in [0, <paramref name="maxExclusive"/>).</summary>
    int Below(int maxExclusive);
}
