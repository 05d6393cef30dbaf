using Ferry.Contracts;

namespace Ferry.Ipam;

/// <summary>A (protocol, port) pair a Service listens on; two Services may share an IP only when theirs are disjoint.</summary>
public readonly record struct ServicePort(TransportProtocol Protocol, int Port)
{
    public override string ToString() => $"{Port}/{Protocol.ToString().ToUpperInvariant()}";
}
