namespace Ferry.Contracts;

/// <summary>
/// What the controller asks of a load balancer implementation, after Kubernetes'
/// <c>cloudprovider.LoadBalancer</c>: get, ensure, update backends, ensure deleted.
/// </summary>
/// <remarks>
/// Implementations must be idempotent: ensuring the same spec twice changes nothing, and deleting a
/// load balancer that does not exist succeeds.
/// </remarks>
public interface ILoadBalancerProvider
{
    /// <summary>The status of an existing load balancer, or null if there is none.</summary>
    Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken);

    /// <summary>The keys of every load balancer this provider runs (to find orphans after a restart).</summary>
    Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates or updates a load balancer to match <paramref name="spec"/> and returns what actually
    /// serves. A port that cannot be bound is reported in the status; the others serve.
    /// </summary>
    /// <exception cref="LoadBalancerValidationException">The spec is invalid; nothing was changed.</exception>
    Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken);

    /// <summary>Updates only the backends (and their health checks) of an existing load balancer (node set changes).</summary>
    Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken);

    /// <summary>Stops the load balancer; its listeners stop accepting and its connections drain. Succeeds if it does not exist.</summary>
    Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken);
}
