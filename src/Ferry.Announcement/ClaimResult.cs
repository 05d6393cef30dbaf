using System.Collections.Immutable;
using System.Net.NetworkInformation;

namespace Ferry.Announcement;

/// <summary>
/// The result of a claim: the interfaces the address is announced on (or would have been), an operator-facing
/// detail for <see cref="ClaimOutcome.Conflict"/> and <see cref="ClaimOutcome.Failed"/>, and for a conflict the
/// MAC address of the host that answered.
/// </summary>
public sealed record ClaimResult(ClaimOutcome Outcome, ImmutableArray<string> Interfaces, string? Detail, PhysicalAddress? ConflictingMac);
