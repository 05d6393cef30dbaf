using System.Diagnostics.Metrics;
using Ferry.Contracts;
using Ferry.DataPlane;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Health;
using Ferry.KernelPlane;
using Ferry.KernelPlane.Hybrid;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary>
/// The one place the data plane is built, for the controller (<c>ferry up</c>, <c>ferry run</c>) and the
/// standalone balancer (<c>ferry proxy</c>) alike, so every command and test runs the same wiring.
/// </summary>
public static partial class DataPlaneFactory
{
    /// <summary>
    /// The userspace data plane with the default policies and active health checks; its meters (and the
    /// health checks') come from <paramref name="meterFactory"/>, and none are recorded when it is null.
    /// </summary>
    public static DataPlaneProvider Create(ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory = null, DataPlaneOptions? options = null) =>
        Userspace(loggerFactory, timeProvider, meterFactory, HealthMonitors(loggerFactory, timeProvider, meterFactory), options);

    /// <summary>
    /// The data plane <paramref name="mode"/> asks for (docs/kernel-data-plane.md): userspace; or the kernel for
    /// every listener it can serve and userspace for the rest (<see cref="HybridDataPlane"/>). <c>auto</c> takes
    /// the kernel when it can run here and says in one log line which plane serves what, and why.
    /// </summary>
    /// <exception cref="DataPlaneUnavailableException"><paramref name="mode"/> is <c>kernel</c> and the kernel plane cannot run here.</exception>
    public static IDataPlane Create(DataPlaneMode mode, ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory = null, DataPlaneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(DataPlaneFactory).FullName!);
        if (mode == DataPlaneMode.Userspace)
        {
            Log.Userspace(logger, "asked for (--data-plane userspace)");
            return Create(loggerFactory, timeProvider, meterFactory, options);
        }

        if (KernelPlaneCheck.WhyUnavailable() is { } why)
        {
            if (mode == DataPlaneMode.Kernel)
            {
                throw new DataPlaneUnavailableException($"--data-plane kernel: {why}");
            }

            Log.Userspace(logger, $"the kernel plane cannot run here: {why}");
            return Create(loggerFactory, timeProvider, meterFactory, options);
        }

        var healthMonitors = HealthMonitors(loggerFactory, timeProvider, meterFactory);
        var kernel = KernelDataPlane.Create(healthMonitors, loggerFactory, timeProvider);
        var userspace = Userspace(loggerFactory, timeProvider, null, healthMonitors, options);
        Log.Hybrid(logger, DataPlaneModeNames.ToName(mode));
        if (KernelPlaneCheck.ForwardingWarning() is { } warning)
        {
            Log.ForwardingOff(logger, warning);
        }

        return new HybridDataPlane(kernel, userspace, loggerFactory.CreateLogger<HybridDataPlane>(), meterFactory);
    }

    private static ActiveHealthMonitorFactory HealthMonitors(ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory) =>
        new(loggerFactory, timeProvider, meterFactory is null ? null : new HealthMetrics(meterFactory));

    private static DataPlaneProvider Userspace(ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory, IHealthMonitorFactory healthMonitors, DataPlaneOptions? options) =>
        new(loggerFactory, timeProvider, new LoadBalancingPolicyFactory(timeProvider), healthMonitors, meterFactory, options ?? new DataPlaneOptions());

    private static partial class Log
    {
        [LoggerMessage(5400, LogLevel.Information, "Data plane: userspace for every listener; {Why}")]
        public static partial void Userspace(ILogger logger, string why);

        [LoggerMessage(5401, LogLevel.Information, "Data plane ({Mode}): the kernel (nftables) for TCP and UDP listeners; userspace for those with the PROXY protocol, least connections or power of two choices, or an address family no backend has")]
        public static partial void Hybrid(ILogger logger, string mode);

        [LoggerMessage(5402, LogLevel.Warning, "Data plane: {Warning}")]
        public static partial void ForwardingOff(ILogger logger, string warning);
    }
}
