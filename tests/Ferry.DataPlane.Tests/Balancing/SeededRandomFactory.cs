using Ferry.DataPlane.Balancing;

namespace Ferry.DataPlane.Tests.Balancing;

/// <summary>Deterministic randomness for single-threaded policy tests.</summary>
internal sealed class SeededRandomFactory(int seed) : IRandomFactory
{
    public Random CreateRandomInstance() => new(seed);
}
