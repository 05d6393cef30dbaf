using System.Collections.Immutable;
using Ferry.Contracts;
using Ferry.KernelPlane.Ruleset;

namespace Ferry.KernelPlane;

/// <summary>
/// Load balancers in the kernel: <see cref="ILoadBalancerProvider"/> over Ferry's nftables table. Every change
/// renders the whole desired state (<see cref="FerryTable"/>) and applies it as one transaction, so the table
/// always holds exactly what was ensured; a change nft refuses changes nothing, and the load balancer's status
/// says why (its listeners not serving, with nft's error). Changes are serialized.
/// </summary>
/// <remarks>
/// The first steps of the kernel data plane: forwarding, weights, round robin, random or client-address hash,
/// source ranges. Health-driven backend sets, drain and counters on /metrics come next (issue 9).
/// </remarks>
public sealed class NftablesProvider : ILoadBalancerProvider, IDisposable
{
    private readonly Func<string, string> _apply;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ImmutableDictionary<LoadBalancerKey, LoadBalancerSpec> _desired = ImmutableDictionary<LoadBalancerKey, LoadBalancerSpec>.Empty;

    /// <param name="apply">Runs an nft script as one transaction (<see cref="NftablesSession.Run"/> in the namespace to program); throws <see cref="NftablesException"/> when nft refuses it.</param>
    public NftablesProvider(Func<string, string> apply) => _apply = apply;

    /// <inheritdoc />
    public Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken) =>
        Task.FromResult(_desired.TryGetValue(key, out var spec) ? Serving(spec, null) : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LoadBalancerKey>>([.. _desired.Keys]);

    /// <inheritdoc />
    public async Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (LoadBalancerSpecValidator.Validate(spec) is [_, ..] errors)
        {
            throw new LoadBalancerValidationException(spec.Key, errors);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var next = _desired.SetItem(spec.Key, spec);
            try
            {
                _apply(FerryTable.Render(next.Values));
            }
            catch (NftablesException ex)
            {
                return Serving(spec, ex.Message);
            }

            _desired = next;
            return Serving(spec, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken) => EnsureAsync(spec, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="NftablesException">nft refused the change; the load balancer still forwards (retry).</exception>
    public async Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_desired.ContainsKey(key))
            {
                return;
            }

            var next = _desired.Remove(key);
            _apply(FerryTable.Render(next.Values));
            _desired = next;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Every address and listener of the spec: serving, or not with <paramref name="error"/>.</summary>
    private static LoadBalancerStatus Serving(LoadBalancerSpec spec, string? error) => new(
        spec.Key,
        [.. spec.Addresses.SelectMany(a => spec.Listeners.Select(l => new ListenerStatus(a, l.Protocol, l.Port, error is null, error)))]);
}
