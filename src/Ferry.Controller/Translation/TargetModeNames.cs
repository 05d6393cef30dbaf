using Ferry.Contracts;

namespace Ferry.Controller.Translation;

/// <summary>
/// The names of <see cref="TargetMode"/> values, as the <c>ferry.dev/targets</c> annotation and
/// <c>ferry run --targets</c> spell them.
/// </summary>
public static class TargetModeNames
{
    /// <summary>The table behind <see cref="All"/>, <see cref="ToName"/> and <see cref="TryParse"/>.</summary>
    public static EnumNames<TargetMode> Table { get; } = new(
        (TargetMode.Nodes, "nodes"),
        (TargetMode.Endpoints, "endpoints"));

    /// <summary>Every valid name, in the order error messages and help list them.</summary>
    public static IReadOnlyList<string> All => Table.All;

    public static string ToName(TargetMode mode) => Table.ToName(mode);

    /// <summary>The mode named by <paramref name="text"/>, ignoring case.</summary>
    public static bool TryParse(string? text, out TargetMode mode) => Table.TryParse(text, out mode);
}
