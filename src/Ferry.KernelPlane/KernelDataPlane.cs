using Ferry.Contracts;
using Ferry.DataPlane;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.Stats;
using Microsoft.Extensions.Logging;

namespace Ferry.KernelPlane;

/// <summary>Builds the kernel plane over this process's network namespace.</summary>
public static class KernelDataPlane
{
    /// <summary>The kernel plane: Ferry's nftables table, programmed in process; check <see cref="KernelPlaneCheck.WhyUnavailable"/> first.</summary>
    /// <exception cref="NftablesException">libnftables cannot be loaded.</exception>
    public static IDataPlane Create(IHealthMonitorFactory healthMonitors, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(healthMonitors);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var session = NftablesSession.Open();
        return new InterimKernelPlane(new NftablesProvider(session.Run), session);
    }

    // Until NftablesProvider is an IDataPlane of its own (health, counters): forwarding only.
    private sealed class InterimKernelPlane(NftablesProvider provider, NftablesSession session) : IDataPlane
    {
        public string Name => "kernel";

        public Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken) => provider.GetAsync(key, cancellationToken);

        public Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) => provider.ListAsync(cancellationToken);

        public Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken) => provider.EnsureAsync(spec, cancellationToken);

        public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken) => provider.UpdateBackendsAsync(spec, cancellationToken);

        public Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken) => provider.EnsureDeletedAsync(key, cancellationToken);

        public IReadOnlyList<LoadBalancerStats> GetStats() => [];

        public LoadBalancerStats? GetStats(LoadBalancerKey key) => null;

        public ValueTask DisposeAsync()
        {
            session.Run("table inet ferry {}\ndelete table inet ferry\n");
            provider.Dispose();
            session.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
