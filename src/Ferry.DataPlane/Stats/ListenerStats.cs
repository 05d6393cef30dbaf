using Ferry.Contracts;

namespace Ferry.DataPlane.Stats;

/// <summary>A point-in-time copy of one listener's counters (summed over its addresses) and its backends.</summary>
/// <param name="Sockets">One entry per address: serving or why not.</param>
/// <param name="IsFailOpen">No backend is healthy, so traffic goes to all of them.</param>
/// <param name="Accepted">TCP connections accepted, or UDP datagrams from clients without a flow.</param>
/// <param name="RefusedBySourceRange">Clients outside <c>loadBalancerSourceRanges</c> (TCP closed, UDP dropped).</param>
/// <param name="NoBackend">Clients turned away because no backend was available or every connect failed.</param>
/// <param name="ActiveConnections">Open TCP connections or live UDP flows.</param>
/// <param name="UdpFlowsDropped">Datagrams of new clients dropped because the flow table was full.</param>
/// <param name="ConnectionsReset">TCP connections that reached a backend and ended with an error on either side (reset, failed write).</param>
/// <param name="ConnectionsAborted">TCP connections that reached a backend and were closed by Ferry first (idle timeout, drain deadline, shutdown).</param>
/// <param name="Backends">Current backends, then draining ones.</param>
/// <param name="Plane">The plane that carries it: <c>userspace</c> or <c>kernel</c>.</param>
public sealed record ListenerStats(
    TransportProtocol Protocol,
    int Port,
    IReadOnlyList<ListenerStatus> Sockets,
    bool IsFailOpen,
    long Accepted,
    long RefusedBySourceRange,
    long NoBackend,
    long ConnectFailures,
    long ActiveConnections,
    long TotalConnections,
    long BytesToBackend,
    long BytesToClient,
    long UdpFlowsDropped,
    long ConnectionsReset,
    long ConnectionsAborted,
    IReadOnlyList<BackendStats> Backends,
    string Plane = ListenerStats.UserspacePlane)
{
    /// <summary>The plane of Ferry's own sockets.</summary>
    public const string UserspacePlane = "userspace";

    /// <summary>The plane of the kernel's NAT (nftables).</summary>
    public const string KernelPlane = "kernel";

    public override string ToString() => $"{Port}/{Protocol.ToString().ToUpperInvariant()}";
}
