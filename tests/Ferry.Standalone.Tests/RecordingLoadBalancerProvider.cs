using System.Collections.Concurrent;
using Ferry.Contracts;

namespace Ferry.Standalone.Tests;

/// <summary>
/// A provider that records every call and serves whatever it is given; it can be told to refuse a load
/// balancer (validation error), fail one (any exception), or report a listener that failed to bind.
/// </summary>
internal sealed class RecordingLoadBalancerProvider : ILoadBalancerProvider
{
    private readonly ConcurrentDictionary<LoadBalancerKey, LoadBalancerSpec> _running = new();
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>Every call in order: "ensure name", "delete name", "update name".</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    public IReadOnlyDictionary<LoadBalancerKey, LoadBalancerSpec> Running => _running;

    /// <summary>Names whose EnsureAsync throws a <see cref="LoadBalancerValidationException"/>.</summary>
    public HashSet<string> Refuse { get; } = [];

    /// <summary>Names whose EnsureAsync throws an <see cref="InvalidOperationException"/>.</summary>
    public HashSet<string> Fail { get; } = [];

    /// <summary>Ports reported as not serving ("address already in use").</summary>
    public HashSet<int> UnboundPorts { get; } = [];

    public Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken) =>
        Task.FromResult(_running.TryGetValue(key, out var spec) ? StatusOf(spec) : null);

    public Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LoadBalancerKey>>([.. _running.Keys]);

    public Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"ensure {spec.Key.Name}");
        if (Refuse.Contains(spec.Key.Name))
        {
            throw new LoadBalancerValidationException(spec.Key, [new ValidationError("listeners[0].port", "refused by the test")]);
        }

        if (Fail.Contains(spec.Key.Name))
        {
            throw new InvalidOperationException("failed by the test");
        }

        _running[spec.Key] = spec;
        return Task.FromResult(StatusOf(spec));
    }

    public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"update {spec.Key.Name}");
        _running[spec.Key] = spec;
        return Task.FromResult(StatusOf(spec));
    }

    public Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"delete {key.Name}");
        _running.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private LoadBalancerStatus StatusOf(LoadBalancerSpec spec) => new(
        spec.Key,
        spec.Addresses
            .SelectMany(address => spec.Listeners.Select(l => UnboundPorts.Contains(l.Port)
                ? new ListenerStatus(address, l.Protocol, l.Port, IsServing: false, "address already in use")
                : new ListenerStatus(address, l.Protocol, l.Port, IsServing: true)))
            .ToEquatableArray());
}
