using System.Diagnostics.Metrics;
using Ferry.Contracts;
using Ferry.DataPlane;
using Ferry.Standalone;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary>
/// <c>ferry proxy</c>: the data plane alone, driven by a YAML file through the standalone balancer.
/// Dispose after <see cref="RunAsync"/> returned: that closes every listener and health check.
/// </summary>
public sealed class ProxyFerry(IDataPlane dataPlane, StandaloneBalancer balancer) : IAsyncDisposable
{
    private readonly IDataPlane _dataPlane = dataPlane;
    private readonly StandaloneBalancer _balancer = balancer;

    /// <summary>Builds the data plane and the balancer over <paramref name="configPath"/>; nothing listens before <see cref="RunAsync"/>.</summary>
    /// <param name="meterFactory">Where the data plane's meters come from; none are recorded when null.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static ProxyFerry Create(string configPath, ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory = null, StandaloneBalancerOptions? options = null, DataPlaneMode dataPlane = DataPlaneMode.Userspace)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options ??= new StandaloneBalancerOptions();
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(StandaloneBalancerOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        // Checked first, so the balancer's constructor cannot throw with a data plane to undo.
        var plane = DataPlaneFactory.Create(dataPlane, loggerFactory, timeProvider, meterFactory);
        return new ProxyFerry(plane, new StandaloneBalancer(configPath, plane, loggerFactory.CreateLogger<StandaloneBalancer>(), timeProvider, options));
    }

    /// <summary>Reloads the file now (SIGHUP).</summary>
    public void RequestReload() => _balancer.RequestReload();

    /// <summary>Applies the file, then follows its changes until cancelled; the load balancers keep running until disposed.</summary>
    /// <exception cref="StandaloneConfigException">The file was unreadable or invalid at start.</exception>
    public Task RunAsync(CancellationToken cancellationToken) => _balancer.RunAsync(cancellationToken);

    /// <summary>Closes every listener, connection and health check.</summary>
    public async ValueTask DisposeAsync()
    {
        _balancer.Dispose();
        await _dataPlane.DisposeAsync();
    }
}
