using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.Ipam;

/// <summary>What one Service asks of the allocator. Free of Kubernetes types.</summary>
/// <param name="Owner">The Service; its namespace is what pools may be limited to.</param>
/// <param name="Families">The families it needs one address of each (from <c>spec.ipFamilies</c>).</param>
/// <param name="Ports">Its ports, for IP sharing.</param>
/// <param name="RequestedAddresses">Specific addresses (<c>spec.loadBalancerIP</c> or <c>ferry.dev/load-balancer-ips</c>); empty means any.</param>
/// <param name="PoolName">A pool to take from (<c>ferry.dev/address-pool</c>); null means any auto-assign pool.</param>
/// <param name="SharingKey">Services with the same key may share an address (<c>ferry.dev/allow-shared-ip</c>).</param>
public sealed record AllocationRequest(
    ServiceKey Owner,
    ImmutableArray<AddressFamily> Families,
    ImmutableArray<ServicePort> Ports,
    ImmutableArray<IPAddress> RequestedAddresses = default,
    string? PoolName = null,
    string? SharingKey = null)
{
    /// <summary>The Service's namespace (pools may be limited to namespaces).</summary>
    public string Namespace => Owner.Namespace;
}
