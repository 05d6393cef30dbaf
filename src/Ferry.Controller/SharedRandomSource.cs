namespace Ferry.Controller;

/// <summary>Production randomness: <see cref="Random.Shared"/>, which is thread-safe.</summary>
public sealed class SharedRandomSource : IRandomSource
{
    public static readonly SharedRandomSource Instance = new();

    private SharedRandomSource()
    {
    }

    public int Below(int maxExclusive) => Random.Shared.Next(maxExclusive);
}
