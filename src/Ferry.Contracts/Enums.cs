namespace Ferry.Contracts;

/// <summary>The L4 protocol of a listener.</summary>
public enum TransportProtocol
{
    Tcp,
    Udp,
}

/// <summary>How a listener picks a backend for a new connection or UDP flow.</summary>
public enum BalancingAlgorithm
{
    RoundRobin,
    LeastConnections,
    Random,
    PowerOfTwo,

    /// <summary>Consistent hashing (a hash ring) of the client IP: removing a backend moves only its clients.</summary>
    ClientIpHash,
}

/// <summary>Which PROXY protocol header, if any, is sent to backends before the client's bytes.</summary>
public enum ProxyProtocolVersion
{
    None,
    V1,
    V2,
}

/// <summary>The kind of active health check.</summary>
public enum HealthCheckType
{
    /// <summary>Healthy when a TCP connect succeeds within the timeout.</summary>
    Tcp,

    /// <summary>Healthy when an HTTP GET answers with the expected status (kube-proxy's healthCheckNodePort: 200 = local endpoints, 503 = none).</summary>
    Http,
}
