using Ferry.Contracts;
using Ferry.Controller.KubernetesApi;
using Ferry.Controller.Reconciliation;
using k8s.Models;

namespace Ferry.Controller.Tests.Reconciliation;

/// <summary>One ordered log of everything the fakes saw, to check the order of side effects.</summary>
internal sealed class Timeline
{
    public List<string> Entries { get; } = [];

    public void Add(string entry)
    {
        lock (Entries)
        {
            Entries.Add(entry);
        }
    }

    public int IndexOf(string prefix) => Entries.FindIndex(e => e.StartsWith(prefix, StringComparison.Ordinal));
}

internal sealed class FakeClusterView : IClusterView
{
    public Dictionary<ServiceKey, V1Service> Services { get; } = [];

    public List<V1Node> Nodes { get; } = [];

    public List<V1EndpointSlice> Slices { get; } = [];

    public void Put(V1Service service) => Services[ServiceKeys.Of(service)] = service;

    public V1Service? GetService(ServiceKey key) => Services.GetValueOrDefault(key);

    public IReadOnlyList<V1Service> ListServices() => [.. Services.Values];

    public IReadOnlyList<V1Node> ListNodes() => Nodes;

    public IReadOnlyList<V1EndpointSlice> EndpointSlicesFor(ServiceKey service) => Slices;
}

/// <summary>Applies the writes to the fake cluster, as the API server's status subresource would.</summary>
internal sealed class RecordingServiceWriter(FakeClusterView cluster, Timeline timeline) : IServiceWriter
{
    public Exception? FailNext { get; set; }

    public Task<V1Service> AddFinalizerAsync(V1Service service, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        timeline.Add("finalizer+");
        service.Metadata.Finalizers = [.. service.Metadata.Finalizers ?? [], FerryAnnotations.CleanupFinalizer];
        cluster.Put(service);
        return Task.FromResult(service);
    }

    public Task RemoveFinalizerAsync(V1Service service, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        timeline.Add("finalizer-");
        service.Metadata.Finalizers = [.. service.Metadata.Finalizers!.Where(f => f != FerryAnnotations.CleanupFinalizer)];
        if (service.Metadata.DeletionTimestamp is not null && service.Metadata.Finalizers.Count == 0)
        {
            cluster.Services.Remove(ServiceKeys.Of(service));
        }

        return Task.CompletedTask;
    }

    /// <summary>Acts as an API server before 1.30: <c>ipMode</c> is not kept.</summary>
    public bool DropsIpMode { get; set; }

    public Task<V1Service?> PatchStatusAsync(V1Service service, V1LoadBalancerStatus status, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        timeline.Add("status " + string.Join(",", (status.Ingress ?? []).Select(i => $"{i.Ip}/{i.IpMode}")));
        service.Status ??= new V1ServiceStatus();
        service.Status.LoadBalancer = DropsIpMode
            ? new V1LoadBalancerStatus { Ingress = [.. (status.Ingress ?? []).Select(i => new V1LoadBalancerIngress { Ip = i.Ip, Hostname = i.Hostname })] }
            : status;
        return Task.FromResult<V1Service?>(service);
    }

    /// <summary>Every condition written, in order.</summary>
    public List<V1Condition> Conditions { get; } = [];

    public Task<V1Service?> PatchConditionAsync(V1Service service, V1Condition condition, CancellationToken cancellationToken)
    {
        Conditions.Add(condition);
        service.Status ??= new V1ServiceStatus();
        service.Status.Conditions = [.. (service.Status.Conditions ?? []).Where(c => c.Type != condition.Type), condition];
        return Task.FromResult<V1Service?>(service);
    }

    private void ThrowIfFailing()
    {
        if (FailNext is { } failure)
        {
            FailNext = null;
            throw failure;
        }
    }
}

internal sealed class RecordingEventRecorder(Timeline timeline) : IEventRecorder
{
    public List<(string Type, string Reason, string Message)> Events { get; } = [];

    public IEnumerable<string> Reasons => Events.Select(e => e.Reason);

    /// <summary>A reason whose recording throws, to stand for a sync that crashes unexpectedly.</summary>
    public string? CrashOn { get; set; }

    public void Record(V1Service service, string type, string reason, string message)
    {
        if (reason == CrashOn)
        {
            throw new InvalidOperationException("crash on " + reason);
        }

        timeline.Add("event " + reason);
        Events.Add((type, reason, message));
    }
}

/// <summary>An in-memory provider: what it "serves" is the last spec it was given.</summary>
internal sealed class RecordingProvider(Timeline timeline) : ILoadBalancerProvider
{
    public Dictionary<LoadBalancerKey, LoadBalancerSpec> Running { get; } = [];

    public HashSet<int> UnbindablePorts { get; } = [];

    public Exception? FailEnsure { get; set; }

    public Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken) =>
        Task.FromResult(Running.TryGetValue(key, out var spec) ? StatusOf(spec) : null);

    public Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LoadBalancerKey>>([.. Running.Keys]);

    public Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        if (FailEnsure is { } failure)
        {
            throw failure;
        }

        timeline.Add($"ensure {spec.Key} {string.Join(",", spec.Addresses)}");
        Running[spec.Key] = spec;
        return Task.FromResult(StatusOf(spec));
    }

    public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken)
    {
        timeline.Add($"update {spec.Key} {string.Join(",", spec.Listeners.SelectMany(l => l.Backends))}");
        Running[spec.Key] = spec;
        return Task.FromResult(StatusOf(spec));
    }

    public Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken)
    {
        timeline.Add($"delete {key}");
        Running.Remove(key);
        return Task.CompletedTask;
    }

    private LoadBalancerStatus StatusOf(LoadBalancerSpec spec) => new(
        spec.Key,
        [.. spec.Addresses.SelectMany(a => spec.Listeners.Select(l => new ListenerStatus(a, l.Protocol, l.Port, !UnbindablePorts.Contains(l.Port), UnbindablePorts.Contains(l.Port) ? "address already in use" : null)))]);
}
