using Ferry.DataPlane.Listeners;
using Ferry.DataPlane.State;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// A TCP connection or UDP flow as the listener's sweeper sees it: enough to enforce the idle
/// timeout and the drain deadlines without a timer per connection.
/// </summary>
internal interface IForwardedFlow
{
    BackendState Backend { get; }

    /// <summary>The socket (address) it came in on; closed with it after a drain.</summary>
    IListenerHost Host { get; }

    /// <summary>A <see cref="TimeProvider.GetTimestamp"/> value of the last byte moved.</summary>
    long LastActivity { get; }

    /// <summary>Closes both sides now; safe to call more than once and from any thread.</summary>
    void Abort();
}
