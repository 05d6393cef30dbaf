namespace Ferry.DataPlane.Balancing;

/// <summary>The production <see cref="IRandomFactory"/>: the thread-safe <see cref="Random.Shared"/>.</summary>
public sealed class RandomFactory : IRandomFactory
{
    public Random CreateRandomInstance() => Random.Shared;
}
