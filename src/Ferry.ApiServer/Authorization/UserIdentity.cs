namespace Ferry.ApiServer.Authorization;

/// <summary>Who sent a request, as kube-apiserver's authenticators describe a user (name, uid, groups).</summary>
/// <param name="Name">The user name, e.g. <c>ferry-admin</c> or a token file's second column.</param>
/// <param name="Uid">The user's uid (the token file's third column).</param>
/// <param name="Groups">The groups, <c>system:authenticated</c> included.</param>
internal sealed record UserIdentity(string Name, string Uid, IReadOnlyList<string> Groups)
{
    /// <summary>The group every authenticated user is in (upstream adds it to every token user).</summary>
    public const string Authenticated = "system:authenticated";

    /// <summary>The group that bypasses authorization upstream; the data directory's token is in it.</summary>
    public const string Masters = "system:masters";

    /// <summary>The identity of the data directory's token: full access, as a cluster admin in <c>system:masters</c>.</summary>
    public static UserIdentity Admin { get; } = new("ferry-admin", "ferry-admin", [Masters, Authenticated]);

    /// <summary>Whether every request is allowed without consulting the policy.</summary>
    public bool IsAdmin => Groups.Contains(Masters);
}
