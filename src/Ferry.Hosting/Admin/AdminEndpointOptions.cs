using System.Diagnostics.Metrics;
using System.Net;

namespace Ferry.Hosting.Admin;

/// <summary>Where the admin endpoint listens and whose meters it exports.</summary>
public sealed record AdminEndpointOptions
{
    /// <summary>The default: loopback only, so metrics are not exposed beyond the machine unless asked for.</summary>
    public const string DefaultListen = "127.0.0.1:9102";

    /// <summary>Plain HTTP address and port; port 0 picks a free one.</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>
    /// The factory Ferry's meters were created from: only instruments of its meters are exported, so
    /// another Ferry in the same process (tests) does not leak into this one's <c>/metrics</c>.
    /// </summary>
    public required IMeterFactory MeterFactory { get; init; }
}
