namespace Ferry.Controller.Pools;

/// <summary>
/// What <see cref="PoolSet.Build"/> decided about one <c>AddressPool</c> object: the <c>Ready</c> condition
/// its status shows (<see cref="PoolStatus.Compute"/> adds <see cref="InUse"/> for a deleted pool still in use).
/// </summary>
/// <param name="IsReady">True when the pool hands out addresses.</param>
/// <param name="Reason">One of the reasons below.</param>
/// <param name="Message">For people: what the pool serves, or why it serves nothing.</param>
public sealed record PoolVerdict(bool IsReady, string Reason, string Message)
{
    /// <summary>Ready True: the pool is valid, overlaps no other pool and hands out addresses.</summary>
    public const string Valid = "Valid";

    /// <summary>Ready False: the spec has errors (the message lists them, each with its path).</summary>
    public const string InvalidAddresses = "InvalidAddresses";

    /// <summary>Ready False: a range overlaps a pool that takes precedence (an older object, or a pool of the pools file).</summary>
    public const string Overlap = "Overlap";

    /// <summary>Ready False: the object is being deleted, and no Service holds an address from it.</summary>
    public const string Deleting = "Deleting";

    /// <summary>Ready False: the object is being deleted but Services still hold addresses from it, so its finalizer stays.</summary>
    public const string InUse = "InUse";
}
