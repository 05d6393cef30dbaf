using System.Net;

namespace Ferry.Hosting.Admin;

/// <summary>Where the admin endpoint listens, and what to do when that address is taken.</summary>
public sealed record AdminEndpointOptions
{
    /// <summary>The default: loopback only, so metrics are not exposed beyond the machine unless asked for.</summary>
    public const string DefaultListen = "127.0.0.1:9102";

    /// <summary>Plain HTTP address and port; port 0 picks a free one.</summary>
    public IPEndPoint Listen { get; init; } = IPEndPoint.Parse(DefaultListen);

    /// <summary>
    /// When true an address already in use is logged as a warning and Ferry runs on without the
    /// endpoint: used for the default address, which another Ferry on this machine may hold. When
    /// false (an address the user asked for) it is an error.
    /// </summary>
    public bool Optional { get; init; }

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate() =>
        Listen is null ? [$"{nameof(Listen)}: must be set"] : [];
}
