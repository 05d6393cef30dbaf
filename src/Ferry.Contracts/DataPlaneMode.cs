namespace Ferry.Contracts;

/// <summary>Which data plane carries the traffic (docs/kernel-data-plane.md).</summary>
public enum DataPlaneMode
{
    /// <summary>The kernel (nftables) where it can run here, else userspace, saying why.</summary>
    Auto,

    /// <summary>Ferry's own sockets only.</summary>
    Userspace,

    /// <summary>The kernel for every listener it can serve (the rest in userspace); fails to start without nftables or the privilege.</summary>
    Kernel,
}

/// <summary>The names of <see cref="DataPlaneMode"/> values, as <c>--data-plane</c>, <c>$FERRY_DATA_PLANE</c> and the <c>ferry proxy</c> file's <c>dataPlane</c> spell them.</summary>
public static class DataPlaneModeNames
{
    /// <summary>The table behind <see cref="All"/>, <see cref="ToName"/> and <see cref="TryParse"/>.</summary>
    public static EnumNames<DataPlaneMode> Table { get; } = new(
        (DataPlaneMode.Auto, "auto"),
        (DataPlaneMode.Userspace, "userspace"),
        (DataPlaneMode.Kernel, "kernel"));

    /// <summary>Every valid name, in the order error messages list them.</summary>
    public static IReadOnlyList<string> All => Table.All;

    public static string ToName(DataPlaneMode mode) => Table.ToName(mode);

    /// <summary>The mode named by <paramref name="text"/>, ignoring case.</summary>
    public static bool TryParse(string? text, out DataPlaneMode mode) => Table.TryParse(text, out mode);
}
