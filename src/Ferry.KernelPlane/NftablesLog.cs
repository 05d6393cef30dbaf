using Microsoft.Extensions.Logging;

namespace Ferry.KernelPlane;

/// <summary>Log messages of the kernel data plane (event ids 3600s).</summary>
internal static partial class NftablesLog
{
    [LoggerMessage(8701, LogLevel.Information, "Kernel data plane: load balancer {Key} programmed ({Listeners} listeners)")]
    public static partial void Applied(ILogger logger, string key, int listeners);

    [LoggerMessage(8702, LogLevel.Warning, "Kernel data plane: nft refused the table for load balancer {Key}: {Error}")]
    public static partial void Refused(ILogger logger, string key, string error);

    [LoggerMessage(8703, LogLevel.Warning, "Kernel data plane: re-rendering after a health change failed: {Error}")]
    public static partial void ReapplyFailed(ILogger logger, string error);

    [LoggerMessage(8704, LogLevel.Information, "Kernel data plane: adopted {Rules} rules of {LoadBalancers} load balancers from the table a previous process left")]
    public static partial void Adopted(ILogger logger, int rules, int loadBalancers);

    [LoggerMessage(8705, LogLevel.Information, "Kernel data plane: backend {Backend} of {Listener} drained; {Entries} conntrack entries deleted")]
    public static partial void Drained(ILogger logger, string backend, string listener, int entries);

    [LoggerMessage(8706, LogLevel.Warning, "Kernel data plane: deleting the conntrack entries of drained backends failed: {Error}")]
    public static partial void ConntrackFailed(ILogger logger, string error);

    [LoggerMessage(8707, LogLevel.Warning, "Kernel data plane: reading counters failed: {Error}")]
    public static partial void CountersFailed(ILogger logger, string error);
}
