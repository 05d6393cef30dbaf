namespace Ferry.Controller.LeaderElection;

/// <summary>The answer of <see cref="LeasePermissionCheck"/>.</summary>
/// <param name="Decided">False when the API server could not answer; <see cref="Detail"/> says why.</param>
/// <param name="DeniedVerbs">The verbs refused on the Lease; empty when allowed or undecided.</param>
/// <param name="Detail">The server's reason for a denial, or why there is no decision; empty when allowed.</param>
public sealed record LeasePermissionResult(bool Decided, IReadOnlyList<string> DeniedVerbs, string Detail)
{
    /// <summary>Every verb allowed.</summary>
    public static LeasePermissionResult Allowed { get; } = new(true, [], string.Empty);

    /// <summary>True when decided and nothing was refused.</summary>
    public bool IsAllowed => Decided && DeniedVerbs.Count == 0;

    /// <summary>True when decided and something was refused.</summary>
    public bool IsDenied => Decided && DeniedVerbs.Count > 0;

    /// <summary>Some verbs refused.</summary>
    public static LeasePermissionResult Denied(IReadOnlyList<string> verbs, string reason) => new(true, verbs, reason);

    /// <summary>No answer.</summary>
    public static LeasePermissionResult Undecided(string why) => new(false, [], why);
}
