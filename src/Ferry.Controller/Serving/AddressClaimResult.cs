namespace Ferry.Controller.Serving;

/// <summary>What a claim came to.</summary>
/// <param name="Outcome">Claimed, refused because another host answers for the address, or failed.</param>
/// <param name="Interfaces">Where it is announced (when claimed).</param>
/// <param name="Detail">Why it failed or conflicts, for the Event and the log.</param>
/// <param name="ConflictingHardwareAddress">The MAC that answered for it (a conflict), as <c>aa:bb:cc:dd:ee:ff</c>.</param>
public sealed record AddressClaimResult(AddressClaimOutcome Outcome, IReadOnlyList<string> Interfaces, string? Detail = null, string? ConflictingHardwareAddress = null)
{
    public static AddressClaimResult Claimed(IReadOnlyList<string> interfaces) => new(AddressClaimOutcome.Claimed, interfaces);

    public static AddressClaimResult Failed(string detail) => new(AddressClaimOutcome.Failed, [], detail);

    public static AddressClaimResult Conflict(string hardwareAddress, string detail) => new(AddressClaimOutcome.Conflict, [], detail, hardwareAddress);
}

/// <summary>The outcome of <see cref="IAddressClaims.ClaimAsync"/>.</summary>
public enum AddressClaimOutcome
{
    Claimed,
    Conflict,
    Failed,
}
