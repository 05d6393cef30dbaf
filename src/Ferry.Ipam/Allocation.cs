using System.Collections.Immutable;
using System.Net;

namespace Ferry.Ipam;

/// <summary>The addresses one Service holds, and what sharing them depends on.</summary>
public sealed record Allocation(
    string Owner,
    ImmutableArray<IPAddress> Addresses,
    string PoolName,
    string? SharingKey,
    ImmutableArray<ServicePort> Ports);
