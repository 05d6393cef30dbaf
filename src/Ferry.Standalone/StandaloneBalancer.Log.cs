using Ferry.Contracts;
using Microsoft.Extensions.Logging;

namespace Ferry.Standalone;

public sealed partial class StandaloneBalancer
{
    // Event ids: Standalone owns 6000-6999 in the product-wide scheme; the reloader takes 6000-6099.
    private static partial class Log
    {
        [LoggerMessage(6000, LogLevel.Information, "Loaded {Path}: {Count} load balancer(s)")]
        public static partial void Loaded(ILogger logger, string path, int count);

        [LoggerMessage(6001, LogLevel.Error, "{Location}: {Error}")]
        public static partial void ConfigError(ILogger logger, string location, string error);

        [LoggerMessage(6002, LogLevel.Error, "Rejected {Path} ({ErrorCount} error(s)); the running config ({RunningCount} load balancer(s)) is unchanged")]
        public static partial void Rejected(ILogger logger, string path, int errorCount, int runningCount);

        [LoggerMessage(6003, LogLevel.Information, "{Key}: applied; {Serving} of {Total} listener socket(s) serving, {Backends} backend(s)")]
        public static partial void Applied(ILogger logger, LoadBalancerKey key, int serving, int total, int backends);

        [LoggerMessage(6004, LogLevel.Warning, "{Key}: {EndPoint}/{Protocol} is not serving: {Error}")]
        public static partial void ListenerNotServing(ILogger logger, LoadBalancerKey key, string endPoint, string protocol, string error);

        [LoggerMessage(6005, LogLevel.Error, "{Key}: refused by the data plane, previous state kept: {Error}")]
        public static partial void Refused(ILogger logger, LoadBalancerKey key, string error);

        [LoggerMessage(6006, LogLevel.Error, "{Key}: could not be applied, previous state kept")]
        public static partial void EnsureFailed(ILogger logger, LoadBalancerKey key, Exception exception);

        [LoggerMessage(6007, LogLevel.Information, "{Key}: removed from the file, deleted")]
        public static partial void Deleted(ILogger logger, LoadBalancerKey key);

        [LoggerMessage(6008, LogLevel.Error, "{Key}: removed from the file, but could not be deleted; will retry on the next reload")]
        public static partial void DeleteFailed(ILogger logger, LoadBalancerKey key, Exception exception);

        [LoggerMessage(6009, LogLevel.Debug, "{Path} unchanged; nothing to do")]
        public static partial void Unchanged(ILogger logger, string path);

        [LoggerMessage(6010, LogLevel.Information, "Reload of {Path} requested")]
        public static partial void ReloadRequested(ILogger logger, string path);

        [LoggerMessage(6011, LogLevel.Warning, "Cannot watch {Path} for changes; reload with SIGHUP instead")]
        public static partial void WatchUnavailable(ILogger logger, string path, Exception exception);

        [LoggerMessage(6012, LogLevel.Warning, "Watching {Path} lost events; reloading to be safe")]
        public static partial void WatchError(ILogger logger, string path, Exception exception);
    }
}
