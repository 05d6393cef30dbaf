using System.Net;
using Ferry.Contracts;

namespace Ferry.KernelPlane;

/// <summary>
/// A backend that no longer takes new connections of one VIP listener (removed from it, or its load balancer deleted)
/// while the kernel keeps its existing connections (conntrack holds their NAT binding) until <see cref="Due"/>.
/// </summary>
/// <param name="Since">When it was removed (a <see cref="TimeProvider"/> timestamp).</param>
internal sealed record DrainingTuple(LoadBalancerKey Key, IPAddress Address, TransportProtocol Protocol, int Port, BackendSpec Backend, long Since, TimeSpan Timeout)
{
    public bool Matches(LoadBalancerKey key, IPAddress address, TransportProtocol protocol, int port, BackendSpec backend) =>
        Key == key && Address.Equals(address) && Protocol == protocol && Port == port && Backend.EndPoint.Equals(backend.EndPoint);

    public bool Due(TimeProvider time, long now) => time.GetElapsedTime(Since, now) >= Timeout;
}
