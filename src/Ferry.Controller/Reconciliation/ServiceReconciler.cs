using System.Globalization;
using Ferry.Contracts;
using Ferry.Controller.KubernetesApi;
using Ferry.Controller.Predicates;
using Ferry.Controller.Translation;
using Ferry.Ipam;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Reconciliation;

/// <summary>
/// One sync of one Service, with the upstream service controller's semantics (UPSTREAM.md B1.4):
/// the cleanup finalizer goes on before anything is provisioned and comes off only after the load
/// balancer is deleted and its IP released; status is written only when it changed; Events carry
/// upstream's reasons and messages.
/// </summary>
public sealed partial class ServiceReconciler
{
    private readonly IClusterView _cluster;
    private readonly IServiceWriter _writer;
    private readonly IEventRecorder _events;
    private readonly ILoadBalancerProvider _provider;
    private readonly IpAllocator _allocator;
    private readonly ServiceTranslator _translator;
    private readonly ServicePredicates _predicates;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SortedSet<string>> _lastSyncedNodes = new(StringComparer.Ordinal);

    // Services whose last allocation failed for want of an address or port: retried as soon as a
    // Service moves off an address or gives up ports (the allocator only reports waiters on Release).
    private readonly HashSet<string> _waitingForAddress = new(StringComparer.Ordinal);

    public ServiceReconciler(
        IClusterView cluster,
        IServiceWriter writer,
        IEventRecorder events,
        ILoadBalancerProvider provider,
        IpAllocator allocator,
        ServiceTranslator translator,
        ServicePredicates predicates,
        ILogger<ServiceReconciler> logger)
    {
        _cluster = cluster;
        _writer = writer;
        _events = events;
        _provider = provider;
        _allocator = allocator;
        _translator = translator;
        _predicates = predicates;
        _logger = logger;
    }

    /// <summary>Syncs the Service with key <c>namespace/name</c>.</summary>
    /// <returns>Done, or an error to retry with backoff; plus the Services to retry because an IP was freed.</returns>
    public async Task<(ReconcileResult Result, IReadOnlyList<string> Retry)> SyncAsync(string key, CancellationToken cancellationToken)
    {
        var service = _cluster.GetService(key);
        if (service is null)
        {
            return (ReconcileResult.Done, await ForgetAsync(key, cancellationToken));
        }

        if (!_predicates.WantsLoadBalancer(service) || ServicePredicates.NeedsCleanup(service))
        {
            var (result, retry) = await DeleteAsync(service, cancellationToken);
            return (Report(service, result), retry);
        }

        var before = _allocator.Get(AllocationRequests.OwnerOf(service));
        var ensured = Report(service, await EnsureAsync(service, cancellationToken));
        return (ensured, WaitersIfFreed(AllocationRequests.OwnerOf(service), before));
    }

    /// <summary>
    /// Updates only the backends of a Service's load balancer (node set or endpoint changes), with
    /// upstream's UpdatedLoadBalancer / UnAvailableLoadBalancer / UpdateLoadBalancerFailed events
    /// when the node set changed.
    /// </summary>
    /// <returns>Done, or an error: the caller then queues a full sync, as upstream does.</returns>
    public async Task<ReconcileResult> SyncBackendsAsync(string key, CancellationToken cancellationToken)
    {
        var service = _cluster.GetService(key);
        if (service is null || !_predicates.WantsLoadBalancer(service) || ServicePredicates.NeedsCleanup(service)
            || _allocator.Get(AllocationRequests.OwnerOf(service)) is not { } allocation)
        {
            return ReconcileResult.Done;
        }

        var mode = _translator.TargetsFor(service);
        var nodes = EligibleNodes();
        var nodeNames = new SortedSet<string>(nodes.Select(n => n.Metadata?.Name ?? string.Empty), StringComparer.Ordinal);
        bool nodesChanged;
        lock (_lock)
        {
            nodesChanged = mode == TargetMode.Nodes && (!_lastSyncedNodes.TryGetValue(key, out var last) || !last.SetEquals(nodeNames));
        }

        if (mode == TargetMode.Nodes && !nodesChanged)
        {
            return ReconcileResult.Done;
        }

        var translation = _translator.Translate(service, allocation.Addresses, nodes, SlicesFor(service, mode));
        if (!translation.Succeeded)
        {
            return ReconcileResult.Failed("failed to ensure load balancer: " + string.Join("; ", translation.Errors));
        }

        try
        {
            await _provider.UpdateBackendsAsync(translation.Spec!, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (nodesChanged && await _provider.GetAsync(translation.Spec!.Key, cancellationToken) is not null)
            {
                _events.Record(service, ServiceEvents.Warning, ServiceEvents.UpdateLoadBalancerFailed, ServiceEvents.UpdateFailedMessage(nodeNames, ex.Message));
            }

            return ReconcileResult.Failed($"failed to update load balancer hosts: {ex.Message}");
        }

        if (nodesChanged)
        {
            lock (_lock)
            {
                _lastSyncedNodes[key] = nodeNames;
            }

            if (nodeNames.Count == 0)
            {
                _events.Record(service, ServiceEvents.Warning, ServiceEvents.UnAvailableLoadBalancer, ServiceEvents.UnAvailableMessage);
            }
            else
            {
                _events.Record(service, ServiceEvents.Normal, ServiceEvents.UpdatedLoadBalancer, ServiceEvents.UpdatedMessage);
            }
        }

        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> EnsureAsync(V1Service service, CancellationToken cancellationToken)
    {
        var key = AllocationRequests.OwnerOf(service);
        _events.Record(service, ServiceEvents.Normal, ServiceEvents.EnsuringLoadBalancer, ServiceEvents.EnsuringMessage);

        if (!ServicePredicates.HasCleanupFinalizer(service))
        {
            try
            {
                service = await _writer.AddFinalizerAsync(service, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return ReconcileResult.Failed($"failed to add load balancer cleanup finalizer: {ex.Message}");
            }
        }

        var (request, requestError) = AllocationRequests.For(service);
        if (request is null)
        {
            return ReconcileResult.Failed($"failed to ensure load balancer: {requestError}");
        }

        var allocation = _allocator.Assign(request);
        lock (_lock)
        {
            if (allocation.Succeeded)
            {
                _waitingForAddress.Remove(key);
            }
            else if (allocation.Error is AllocationError.AddressInUse or AllocationError.PortConflict or AllocationError.PoolExhausted)
            {
                _waitingForAddress.Add(key);
            }
        }

        if (!allocation.Succeeded)
        {
            return ReconcileResult.Failed($"failed to ensure load balancer: {allocation.Message}");
        }

        var mode = _translator.TargetsFor(service);
        var nodes = EligibleNodes();
        if (mode == TargetMode.Nodes && nodes.Count == 0)
        {
            _events.Record(service, ServiceEvents.Warning, ServiceEvents.UnAvailableLoadBalancer, ServiceEvents.UnAvailableMessage);
        }

        var translation = _translator.Translate(service, allocation.Allocation.Addresses, nodes, SlicesFor(service, mode));
        foreach (var warning in translation.Warnings)
        {
            Log.TranslationWarning(_logger, key, warning);
        }

        if (!translation.Succeeded)
        {
            return ReconcileResult.Failed("failed to ensure load balancer: " + string.Join("; ", translation.Errors));
        }

        LoadBalancerStatus status;
        try
        {
            status = await _provider.EnsureAsync(translation.Spec!, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ReconcileResult.Failed($"failed to ensure load balancer: {ex.Message}");
        }

        if (!status.IsFullyServing)
        {
            var failures = status.Listeners.Where(l => !l.IsServing).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Address} {l.Port}/{l.Protocol.ToString().ToUpperInvariant()}: {l.Error}"));
            return ReconcileResult.Failed("failed to ensure load balancer: " + string.Join("; ", failures));
        }

        lock (_lock)
        {
            _lastSyncedNodes[key] = new SortedSet<string>(nodes.Select(n => n.Metadata?.Name ?? string.Empty), StringComparer.Ordinal);
        }

        _events.Record(service, ServiceEvents.Normal, ServiceEvents.EnsuredLoadBalancer, ServiceEvents.EnsuredMessage);

        var ipMode = translation.Spec!.Settings.ProxyProtocol == ProxyProtocolVersion.None ? "VIP" : "Proxy";
        var desired = new V1LoadBalancerStatus
        {
            Ingress = [.. status.ServingAddresses.Select(a => new V1LoadBalancerIngress { Ip = a.ToString(), IpMode = ipMode })],
        };
        if (!SameIngress(service.Status?.LoadBalancer, desired))
        {
            try
            {
                await _writer.PatchStatusAsync(service, desired, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return ReconcileResult.Failed($"failed to update load balancer status: {ex.Message}");
            }
        }

        return ReconcileResult.Done;
    }

    private async Task<(ReconcileResult Result, IReadOnlyList<string> Retry)> DeleteAsync(V1Service service, CancellationToken cancellationToken)
    {
        var key = AllocationRequests.OwnerOf(service);
        var lbKey = new LoadBalancerKey(service.Metadata?.NamespaceProperty ?? "default", service.Metadata?.Name ?? string.Empty);
        bool exists;
        try
        {
            exists = await _provider.GetAsync(lbKey, cancellationToken) is not null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (ReconcileResult.Failed($"failed to check if load balancer exists before cleanup: {ex.Message}"), []);
        }

        if (exists)
        {
            _events.Record(service, ServiceEvents.Normal, ServiceEvents.DeletingLoadBalancer, ServiceEvents.DeletingMessage);
            try
            {
                await _provider.EnsureDeletedAsync(lbKey, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (ReconcileResult.Failed($"failed to delete load balancer: {ex.Message}"), []);
            }
        }

        // The IP is free only once nothing listens on it any more, and before the finalizer goes,
        // so a crash in between leaves a Service that still holds its finalizer and is retried.
        var retry = _allocator.Release(key);
        _allocator.StopWaiting(key);
        lock (_lock)
        {
            _lastSyncedNodes.Remove(key);
            _waitingForAddress.Remove(key);
        }

        if (ServicePredicates.HasCleanupFinalizer(service))
        {
            try
            {
                await _writer.RemoveFinalizerAsync(service, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (ReconcileResult.Failed($"failed to remove load balancer cleanup finalizer: {ex.Message}"), retry);
            }
        }

        _events.Record(service, ServiceEvents.Normal, ServiceEvents.DeletedLoadBalancer, ServiceEvents.DeletedMessage);

        if (service.Metadata?.DeletionTimestamp is null && service.Status?.LoadBalancer?.Ingress is { Count: > 0 })
        {
            try
            {
                await _writer.PatchStatusAsync(service, new V1LoadBalancerStatus(), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (ReconcileResult.Failed($"failed to update load balancer status: {ex.Message}"), retry);
            }
        }

        return (ReconcileResult.Done, retry);
    }

    /// <summary>The Service is gone: make sure no load balancer or IP outlives it.</summary>
    private async Task<IReadOnlyList<string>> ForgetAsync(string key, CancellationToken cancellationToken)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var lbKey = new LoadBalancerKey(key[..slash], key[(slash + 1)..]);
        if (await _provider.GetAsync(lbKey, cancellationToken) is not null)
        {
            Log.DeletingOrphan(_logger, key);
            await _provider.EnsureDeletedAsync(lbKey, cancellationToken);
        }

        lock (_lock)
        {
            _lastSyncedNodes.Remove(key);
            _waitingForAddress.Remove(key);
        }

        var retry = _allocator.Release(key);
        _allocator.StopWaiting(key);
        return retry;
    }

    /// <summary>
    /// The Services waiting for an address, when <paramref name="owner"/>'s sync moved it off an address
    /// or changed its ports (a requested IP, pool or ports edited): what it left may be what they wait for.
    /// </summary>
    private string[] WaitersIfFreed(string owner, Allocation? before)
    {
        var after = _allocator.Get(owner);
        if (before is null || (after is not null && before.Addresses.SequenceEqual(after.Addresses) && before.Ports.SequenceEqual(after.Ports)))
        {
            return [];
        }

        lock (_lock)
        {
            string[] retry = [.. _waitingForAddress.Where(k => k != owner)];
            _waitingForAddress.ExceptWith(retry);
            return retry;
        }
    }

    private ReconcileResult Report(V1Service service, ReconcileResult result)
    {
        if (!result.Succeeded)
        {
            Log.SyncFailed(_logger, AllocationRequests.OwnerOf(service), result.Error!);
            _events.Record(service, ServiceEvents.Warning, ServiceEvents.SyncLoadBalancerFailed, ServiceEvents.SyncFailedMessage(result.Error!));
        }

        return result;
    }

    private List<V1Node> EligibleNodes() => [.. _cluster.ListNodes().Where(NodePredicates.IsEligible)];

    private IReadOnlyList<V1EndpointSlice> SlicesFor(V1Service service, TargetMode mode) =>
        mode == TargetMode.Endpoints ? _cluster.EndpointSlicesFor(service.Metadata?.NamespaceProperty ?? "default", service.Metadata?.Name ?? string.Empty) : [];

    /// <summary>HEAD's semantic equality of the ingress lists (ip, hostname, ipMode, in order).</summary>
    private static bool SameIngress(V1LoadBalancerStatus? current, V1LoadBalancerStatus desired)
    {
        var a = current?.Ingress ?? [];
        var b = desired.Ingress ?? [];
        return a.Count == b.Count && a.Zip(b).All(p => p.First.Ip == p.Second.Ip && p.First.Hostname == p.Second.Hostname && p.First.IpMode == p.Second.IpMode);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Error syncing load balancer for {Service}: {Error}")]
        public static partial void SyncFailed(ILogger logger, string service, string error);

        [LoggerMessage(2, LogLevel.Warning, "Service {Service}: {Warning}")]
        public static partial void TranslationWarning(ILogger logger, string service, string warning);

        [LoggerMessage(3, LogLevel.Information, "Service {Service} is gone; deleting its load balancer")]
        public static partial void DeletingOrphan(ILogger logger, string service);
    }
}
