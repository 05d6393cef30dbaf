namespace Ferry.Controller.Informers;

/// <summary>Timing of an informer's watches.</summary>
public sealed record InformerOptions
{
    /// <summary>Watches ask the server to end after a random time in [min, 2 × min), as client-go's reflector does, so they are renewed.</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A watch that sends nothing (no event, no bookmark) for its timeout plus this grace is
    /// presumed dead and restarted: KubernetesClient's watches can end or hang silently.
    /// </summary>
    public TimeSpan WatchdogGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait before listing again after an error.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MinWatchTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(MinWatchTimeout)}: must be positive");
        }

        if (WatchdogGrace < TimeSpan.Zero)
        {
            problems.Add($"{nameof(WatchdogGrace)}: must not be negative");
        }

        if (RetryDelay <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(RetryDelay)}: must be positive");
        }

        if (MaxRetryDelay < RetryDelay)
        {
            problems.Add($"{nameof(MaxRetryDelay)}: must not be shorter than {nameof(RetryDelay)}");
        }

        return problems;
    }
}
