namespace Ferry.Hosting.Status;

/// <summary>
/// What one Ferry process serves right now, as <c>/status</c> on the admin endpoint returns it (JSON,
/// camelCase) and <c>ferry status</c> shows it.
/// </summary>
/// <param name="Mode">The command that runs it: <c>up</c> or <c>run</c>.</param>
/// <param name="Node">The node this replica runs on (<c>ferry run</c>), else null.</param>
/// <param name="LoadBalancers">Every load balancer this process serves, by Service.</param>
/// <param name="Pools">The address pools and how full they are; empty where this process does not allocate (a replica that does not lead).</param>
/// <param name="PoolsNote">Why <paramref name="Pools"/> is empty, when it is.</param>
public sealed record StatusDocument(
    string Mode,
    string? Node,
    IReadOnlyList<LoadBalancerEntry> LoadBalancers,
    IReadOnlyList<PoolEntry> Pools,
    string? PoolsNote = null);

/// <summary>One load balancer: its Service, where it listens, who serves it, and its traffic so far.</summary>
/// <param name="Service"><c>namespace/name</c>.</param>
/// <param name="Addresses">The addresses it listens on.</param>
/// <param name="Ports">Its ports, <c>80/TCP</c>.</param>
/// <param name="Plane">The data plane carrying it (<c>userspace</c>).</param>
/// <param name="Node">The node serving it (this replica's), null for <c>ferry up</c>.</param>
/// <param name="Serving">True when every listener is bound.</param>
/// <param name="BackendsHealthy">Distinct backends healthy now.</param>
/// <param name="BackendsTotal">Distinct backends.</param>
/// <param name="ActiveConnections">Open TCP connections and live UDP flows.</param>
/// <param name="BytesIn">Bytes from clients to backends.</param>
/// <param name="BytesOut">Bytes from backends to clients.</param>
public sealed record LoadBalancerEntry(
    string Service,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> Ports,
    string Plane,
    string? Node,
    bool Serving,
    int BackendsHealthy,
    int BackendsTotal,
    long ActiveConnections,
    long BytesIn,
    long BytesOut);

/// <summary>One address pool's allocation; counts of large IPv6 pools are capped at <see cref="long.MaxValue"/>.</summary>
/// <param name="Name">The pool's name.</param>
/// <param name="Addresses">Its ranges as written.</param>
/// <param name="Capacity">How many addresses it can give.</param>
/// <param name="Allocated">How many are given to Services.</param>
/// <param name="Free">Capacity less allocated.</param>
public sealed record PoolEntry(string Name, IReadOnlyList<string> Addresses, long Capacity, long Allocated, long Free);
