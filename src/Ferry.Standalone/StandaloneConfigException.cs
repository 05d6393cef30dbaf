using Ferry.Configuration;

namespace Ferry.Standalone;

/// <summary>
/// The config file was unreadable or invalid when the balancer started, so there was no previous
/// config to keep running; the errors have already been logged.
/// </summary>
public sealed class StandaloneConfigException : Exception
{
    public StandaloneConfigException(string path, IReadOnlyList<ConfigError> errors)
        : base($"invalid config file {path}: {string.Join("; ", errors)}")
    {
        Path = path;
        Errors = errors;
    }

    public string Path { get; }

    public IReadOnlyList<ConfigError> Errors { get; }
}
