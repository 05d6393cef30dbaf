namespace Ferry.Contracts;

/// <summary>
/// <c>sessionAffinity: ClientIP</c>: a client keeps its backend while it keeps sending within
/// <see cref="Timeout"/> (Kubernetes' default is 10800 s).
/// </summary>
public sealed record SessionAffinitySpec(TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10800);
}
