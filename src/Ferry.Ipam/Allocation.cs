using System.Collections.Immutable;
using System.Net;
using Ferry.Contracts;

namespace Ferry.Ipam;

/// <summary>The addresses one Service holds, and what sharing them depends on.</summary>
public sealed record Allocation(
    ServiceKey Owner,
    ImmutableArray<IPAddress> Addresses,
    string PoolName,
    string? SharingKey,
    ImmutableArray<ServicePort> Ports);
