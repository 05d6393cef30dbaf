namespace Ferry.Standalone;

/// <summary>Tuning for <see cref="StandaloneBalancer"/>; the defaults suit interactive editing.</summary>
public sealed record StandaloneBalancerOptions
{
    /// <summary>
    /// How long to wait after a file change before reading the file, so that an editor's several
    /// writes (truncate, write, rename) are read once, complete.
    /// </summary>
    public TimeSpan ReloadDebounce { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Whether to reload when the file changes; when false only <see cref="StandaloneBalancer.RequestReload"/> (SIGHUP) reloads.</summary>
    public bool WatchFile { get; init; } = true;

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate() =>
        ReloadDebounce < TimeSpan.Zero ? [$"{nameof(ReloadDebounce)}: must not be negative"] : [];
}
