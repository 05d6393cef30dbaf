using System.Net;

namespace Ferry.ApiServer;

/// <summary>Settings of the embedded Kubernetes-compatible API server.</summary>
public sealed class ApiServerOptions
{
    /// <summary>Where state (SQLite), the TLS certificate, the token and the kubeconfig live. Created if missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The address to listen on; port 0 picks a free port (see <see cref="ApiServerHandle.Port"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 6443);

    /// <summary>Clock for timestamps, AGE columns and watch timers; tests may inject a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Largest accepted request body; bigger ones get 413 RequestEntityTooLarge (kube-apiserver allows 3 MiB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>How many recent events are kept for watch resumption; older versions get 410 Expired.</summary>
    public int WatchHistorySize { get; init; } = 10_000;

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK (upstream: one minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);
}
