using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Flows;

namespace Ferry.DataPlane.Forwarding;

/// <summary>
/// One listener as its sockets, connections and flows see it: the settings and backends a new client is
/// served with, the counters it is counted in, and the flow lifecycle it reports to. Narrow on purpose:
/// they cannot change the listener's addresses, backends or health checks.
/// </summary>
internal interface IListenerView
{
    /// <summary>For logs: <c>namespace/name port/PROTOCOL</c>.</summary>
    string Name { get; }

    ForwardingContext Context { get; }

    /// <summary>Read once per new connection or flow.</summary>
    ListenerSettings Settings { get; }

    /// <summary>The backends that may take new traffic now; read once per pick.</summary>
    BackendSnapshot Backends { get; }

    ListenerCounters Counters { get; }

    /// <summary>False means passive checking only: a successful connect counts as a success too.</summary>
    bool HasActiveHealthCheck { get; }

    /// <inheritdoc cref="FlowTable.Track"/>
    void Track(IForwardedFlow flow);

    /// <inheritdoc cref="FlowTable.Opened"/>
    void Opened(IForwardedFlow flow);

    /// <inheritdoc cref="FlowTable.Untrack"/>
    void Untrack(IForwardedFlow flow, bool opened);
}
