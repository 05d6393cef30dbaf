using System.Net;
using Ferry.Contracts.Addressing;

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

    /// <summary>Cluster IP range and NodePort range for Service allocation (defaults: 10.96.0.0/12, 30000–32767).</summary>
    public Admission.ServiceAllocatorOptions ServiceAllocation { get; init; } = new();

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK (upstream: one minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Parses a <c>--listen</c> value: <c>127.0.0.1:6443</c>, <c>[::1]:6443</c>, <c>0.0.0.0:0</c>, or a bare port
    /// (<c>6443</c>, <c>:6443</c>) meaning 127.0.0.1.
    /// </summary>
    /// <exception cref="FormatException">The text is not an address and port.</exception>
    public static IPEndPoint ParseListen(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (NetworkText.TryParseEndpoint(text.Trim(), IPAddress.Loopback, out var endpoint))
        {
            return endpoint;
        }

        throw new FormatException("expected ADDRESS:PORT (e.g. 127.0.0.1:6443), got \"" + text + "\"");
    }
}
