using System.Net;
using Ferry.Contracts;

namespace Ferry.Hosting;

/// <summary>
/// The data plane as the leader's controller sees it when some pools are announced: it programs only
/// the Services whose addresses are not announced (the operator routes those to the leader). A Service
/// whose addresses are all announced is served by the replicas that own them
/// (<see cref="Controller.Serving.ServingController"/>): ensuring it here succeeds at once with every
/// listener reported serving (as a cloud provider's API accepts a load balancer its own fleet then
/// carries), and the load balancers those replicas run on this machine are invisible here, so the
/// leader neither deletes them as orphans nor closes them when it steps down.
/// </summary>
public sealed class LeaderServedProvider : ILoadBalancerProvider
{
    private readonly ILoadBalancerProvider _inner;
    private readonly Func<IReadOnlyCollection<IPAddress>, bool> _isAnnouncedService;
    private readonly Func<LoadBalancerKey, bool> _servedByReplica;

    /// <param name="inner">The replica's data plane.</param>
    /// <param name="isAnnouncedService">True for a Service whose addresses the replicas announce and serve.</param>
    /// <param name="servedByReplica">True for a load balancer this replica runs as an address owner.</param>
    public LeaderServedProvider(ILoadBalancerProvider inner, Func<IReadOnlyCollection<IPAddress>, bool> isAnnouncedService, Func<LoadBalancerKey, bool> servedByReplica)
    {
        _inner = inner;
        _isAnnouncedService = isAnnouncedService;
        _servedByReplica = servedByReplica;
    }

    public Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken) =>
        _servedByReplica(key) ? Task.FromResult<LoadBalancerStatus?>(null) : _inner.GetAsync(key, cancellationToken);

    public async Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await _inner.ListAsync(cancellationToken)).Where(k => !_servedByReplica(k))];

    public Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return _isAnnouncedService(spec.Addresses) ? Task.FromResult(Accepted(spec)) : _inner.EnsureAsync(spec, cancellationToken);
    }

    public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return _isAnnouncedService(spec.Addresses) ? Task.FromResult(Accepted(spec)) : _inner.UpdateBackendsAsync(spec, cancellationToken);
    }

    public Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken) =>
        _servedByReplica(key) ? Task.CompletedTask : _inner.EnsureDeletedAsync(key, cancellationToken);

    private static LoadBalancerStatus Accepted(LoadBalancerSpec spec) =>
        new(spec.Key, [.. spec.Addresses.SelectMany(a => spec.Listeners.Select(l => new ListenerStatus(a, l.Protocol, l.Port, IsServing: true)))]);
}
