using Ferry.Contracts;

namespace Ferry.DataPlane.State;

/// <summary>Identifies a listener within a load balancer: TCP and UDP may share a port.</summary>
internal readonly record struct ListenerKey(TransportProtocol Protocol, int Port)
{
    public static ListenerKey Of(ListenerSpec spec) => new(spec.Protocol, spec.Port);

    public override string ToString() => $"{Port}/{Protocol.ToString().ToUpperInvariant()}";
}
