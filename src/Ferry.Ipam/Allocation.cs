using System.Collections.Immutable;
using System.Net;
using Ferry.Contracts;

namespace Ferry.Ipam;

/// <summary>The addresses one Service holds, and what sharing them depends on.</summary>
/// <param name="PoolName">The pool the addresses come from; empty when <paramref name="IsOutsidePools"/>.</param>
/// <param name="IsOutsidePools">
/// Restored from the Service's status although no pool holds the addresses any more (the pools changed while
/// the Service was live): kept, so no one else gets them and the Service is not re-addressed, until it goes
/// or asks for other addresses (<see cref="IpAllocator.Restore"/>).
/// </param>
public sealed record Allocation(
    ServiceKey Owner,
    ImmutableArray<IPAddress> Addresses,
    string PoolName,
    string? SharingKey,
    ImmutableArray<ServicePort> Ports,
    bool IsOutsidePools = false);
