namespace Ferry.Contracts;

/// <summary>
/// The names of <see cref="BalancingAlgorithm"/> values, as the <c>ferry proxy</c> file's <c>algorithm</c>
/// key and the <c>ferry.dev/algorithm</c> annotation spell them.
/// </summary>
public static class BalancingAlgorithmNames
{
    /// <summary>The table behind <see cref="All"/>, <see cref="ToName"/> and <see cref="TryParse"/>.</summary>
    public static EnumNames<BalancingAlgorithm> Table { get; } = new(
        (BalancingAlgorithm.RoundRobin, "roundRobin"),
        (BalancingAlgorithm.LeastConnections, "leastConnections"),
        (BalancingAlgorithm.Random, "random"),
        (BalancingAlgorithm.PowerOfTwo, "powerOfTwo"),
        (BalancingAlgorithm.ClientIpHash, "clientIpHash"));

    /// <summary>Every valid name, in the order error messages list them.</summary>
    public static IReadOnlyList<string> All => Table.All;

    public static string ToName(BalancingAlgorithm algorithm) => Table.ToName(algorithm);

    /// <summary>The algorithm named by <paramref name="text"/>, ignoring case.</summary>
    public static bool TryParse(string? text, out BalancingAlgorithm algorithm) => Table.TryParse(text, out algorithm);
}
