using k8s;

namespace Ferry.Controller.Informers;

/// <summary>One page-less list of a resource and the list's resourceVersion.</summary>
public sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion);

/// <summary>
/// How an informer lists and watches one resource: two delegates over the KubernetesClient calls,
/// so the informer's algorithm does not depend on a resource's generated method names.
/// </summary>
public sealed record ResourceSource<T>(
    string Name,
    Func<CancellationToken, Task<ResourceList<T>>> ListAsync,
    Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> Watch);
