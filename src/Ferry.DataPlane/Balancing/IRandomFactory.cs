namespace Ferry.DataPlane.Balancing;

/// <summary>
/// The source of randomness for the random policies, injected so tests can be deterministic (as YARP's
/// <c>IRandomFactory</c>).
/// </summary>
public interface IRandomFactory
{
    /// <summary>
    /// Returns the instance a policy keeps for its lifetime. It is used from many threads at once, so it must
    /// be thread-safe in production (<see cref="Random.Shared"/> is); tests may return a seeded instance and
    /// pick from one thread.
    /// </summary>
    Random CreateRandomInstance();
}
