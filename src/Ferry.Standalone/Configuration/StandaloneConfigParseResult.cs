using Ferry.Configuration;
using Ferry.Contracts;

namespace Ferry.Standalone.Configuration;

/// <summary>
/// The outcome of parsing a standalone config file: either load balancers to apply, or every error found
/// (never a partial config, so a bad file can never half-apply).
/// </summary>
public sealed class StandaloneConfigParseResult
{
    private StandaloneConfigParseResult(IReadOnlyList<LoadBalancerSpec> loadBalancers, IReadOnlyList<ConfigError> errors, DataPlaneMode? dataPlane = null)
    {
        LoadBalancers = loadBalancers;
        Errors = errors;
        DataPlane = dataPlane;
    }

    /// <summary>The file's <c>dataPlane</c> key, or null when it has none (read at start only: a change needs a restart).</summary>
    public DataPlaneMode? DataPlane { get; }

    /// <summary>The load balancers, in file order; empty when <see cref="IsValid"/> is false.</summary>
    public IReadOnlyList<LoadBalancerSpec> LoadBalancers { get; }

    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    public bool IsValid => Errors.Count == 0;

    public static StandaloneConfigParseResult Success(IReadOnlyList<LoadBalancerSpec> loadBalancers, DataPlaneMode? dataPlane = null) => new(loadBalancers, [], dataPlane);

    public static StandaloneConfigParseResult Failure(IReadOnlyList<ConfigError> errors)
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        return new([], errors);
    }
}
