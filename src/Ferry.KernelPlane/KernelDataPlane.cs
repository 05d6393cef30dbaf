using Ferry.DataPlane;
using Ferry.DataPlane.Health;
using Microsoft.Extensions.Logging;

namespace Ferry.KernelPlane;

/// <summary>Builds the kernel plane over this process's network namespace.</summary>
public static class KernelDataPlane
{
    /// <summary>The kernel plane: Ferry's nftables table, programmed in process; check <see cref="KernelPlaneCheck.WhyUnavailable"/> first.</summary>
    /// <exception cref="NftablesException">libnftables cannot be loaded.</exception>
    public static IDataPlane Create(IHealthMonitorFactory healthMonitors, ILoggerFactory loggerFactory, TimeProvider timeProvider) =>
        new NftablesProvider(NftablesSession.Open, healthMonitors, loggerFactory, timeProvider);
}
