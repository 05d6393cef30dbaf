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

    /// <summary>Why the request is malformed (no family, an address of a family not asked for, ...), or null.</summary>
    internal AllocationResult? Validate()
    {
        if (Families.IsDefaultOrEmpty)
        {
            return AllocationResult.Failure(AllocationError.InvalidRequest, "no IP family requested");
        }

        if (Families.Distinct().Count() != Families.Length
            || Families.Any(f => f is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)))
        {
            return AllocationResult.Failure(AllocationError.InvalidRequest, $"IP families must be distinct IPv4/IPv6, got {string.Join(", ", Families)}");
        }

        if (!RequestedAddresses.IsDefaultOrEmpty)
        {
            foreach (var address in RequestedAddresses)
            {
                if (!Families.Contains(address.AddressFamily))
                {
                    return AllocationResult.Failure(AllocationError.InvalidRequest, $"requested address {address} is not of a requested IP family ({FamilyNames(Families)})");
                }
            }

            if (RequestedAddresses.Select(a => a.AddressFamily).Distinct().Count() != RequestedAddresses.Length)
            {
                return AllocationResult.Failure(AllocationError.InvalidRequest, "at most one requested address per IP family");
            }

            if (RequestedAddresses.Length != Families.Length)
            {
                return AllocationResult.Failure(AllocationError.InvalidRequest, $"requested {RequestedAddresses.Length} address(es) for {Families.Length} IP families ({FamilyNames(Families)})");
            }
        }

        return null;
    }

    internal static string FamilyNames(ImmutableArray<AddressFamily> families) =>
        string.Join("+", families.Select(f => f == AddressFamily.InterNetwork ? "IPv4" : "IPv6"));
}
