using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Flows;

/// <summary>
/// A TCP connection or UDP flow as the listener's <see cref="FlowTable"/> sees it: enough to enforce the
/// connect and idle timeouts and the drain deadlines without a timer per connection.
/// </summary>
internal interface IForwardedFlow
{
    BackendState Backend { get; }

    /// <summary>The socket (address) it came in on; closed with it after a drain.</summary>
    IEntryPoint EntryPoint { get; }

    /// <summary>A <see cref="TimeProvider.GetTimestamp"/> value of the last byte moved.</summary>
    long LastActivity { get; }

    /// <summary>
    /// True while still connecting to a backend (the idle timeout does not apply yet); closes the
    /// attempt once the connect timeout has passed since it started.
    /// </summary>
    bool CheckConnect(long now);

    /// <summary>Closes both sides now; safe to call more than once and from any thread.</summary>
    void Abort();
}
