namespace Ferry.Controller.LeaderElection;

/// <summary>What one successful read of the Lease showed: who holds it and when the holder last renewed it (by the holder's clock).</summary>
/// <param name="HolderIdentity">The holder; null or empty when nobody holds the Lease (never created, or released).</param>
/// <param name="RenewTime">The holder's last renewal, as it wrote it.</param>
public sealed record LeaseObservation(string? HolderIdentity, DateTime? RenewTime);
