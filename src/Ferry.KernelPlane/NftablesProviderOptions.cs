namespace Ferry.KernelPlane;

/// <summary>Timing of the kernel data plane (<see cref="NftablesProvider"/>).</summary>
public sealed record NftablesProviderOptions
{
    /// <summary>
    /// How long health transitions are gathered before the table is re-rendered: several backends flipping within it
    /// cost one transaction.
    /// </summary>
    public TimeSpan CoalesceDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often removed backends are checked for the end of their drain (then their conntrack entries go).</summary>
    public TimeSpan DrainSweepInterval { get; init; } = TimeSpan.FromSeconds(1);
}
