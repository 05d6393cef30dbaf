using System.Diagnostics.Metrics;
using Ferry.Contracts;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Health;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane;

/// <summary>
/// The in-process data plane: an <see cref="ILoadBalancerProvider"/> that opens TCP and UDP listeners
/// for each load balancer and forwards to its backends.
/// </summary>
public sealed class DataPlaneProvider : ILoadBalancerProvider, IAsyncDisposable
{
    public DataPlaneProvider(
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        ILoadBalancingPolicyFactory policies,
        IHealthMonitorFactory healthMonitors,
        IMeterFactory? meterFactory = null)
    {
        _ = (loggerFactory, timeProvider, policies, healthMonitors, meterFactory);
    }

    public Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken) => throw new NotImplementedException();

    public Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    public Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken) => throw new NotImplementedException();

    public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken) => throw new NotImplementedException();

    public Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
