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
/// One sync of one Service, with the upstream service controller's semantics (docs/upstream-semantics.md, "One sync"):
/// the cleanup finalizer goes on before anything is provisioned and comes off only after the load
/// balancer is deleted and its IP released; status is written only when it changed; Events carry
/// upstream's reasons and messages.
/// </summary>
/// <remarks>
/// Services waiting for an address are the allocator's to track: a sync hands back the waiters the
/// allocator names when the synced Service freed an address or ports, for the caller to queue.
/// </remarks>
public sealed partial class ServiceReconciler(
    IClusterView cluster,
    IServiceWriter writer,
    IEventRecorder events,
    ILoadBalancerProvider provider,
    IpAllocator allocator,
    ServiceTranslator translator,
    ServicePredicates predicates,
    ILogger<ServiceReconciler> logger,
    TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly IClusterView _cluster = cluster;
    private readonly IServiceWriter _writer = writer;
    private readonly IEventRecorder _events = events;
    private readonly ILoadBalancerProvider _provider = provider;
    private readonly IpAllocator _allocator = allocator;
    private readonly ServiceTranslator _translator = translator;
    private readonly ServicePredicates _predicates = predicates;
    private readonly ILogger _logger = logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<ServiceKey, SortedSet<string>> _lastSyncedNodes = [];
    private readonly IngressStatusComparer _ingress = new();

    /// <summary>Syncs the Service.</summary>
    /// <returns>Done, or an error to retry with backoff; plus the Services to retry because an IP was freed.</returns>
    public async Task<(ReconcileResult Result, IReadOnlyList<ServiceKey> Retry)> SyncAsync(ServiceKey key, CancellationToken cancellationToken)
    {
        var service = _cluster.GetService(key);
        if (service is null)
        {
            return (ReconcileResult.Done, await ForgetAsync(key, cancellationToken));
        }

        if (!_predicates.WantsLoadBalancer(service) || ServicePredicates.NeedsCleanup(service))
        {
            var (result, retry) = await DeleteAsync(key, service, cancellationToken);
            return (Report(key, service, result), retry);
        }

        var (ensured, freed) = await EnsureAsync(key, service, cancellationToken);
        return (Report(key, service, ensured), freed);
    }

    /// <summary>
    /// Updates only the backends of a Service's load balancer (node set or endpoint changes), with
    /// upstream's UpdatedLoadBalancer / UnAvailableLoadBalancer / UpdateLoadBalancerFailed events
    /// when the node set changed.
    /// </summary>
    /// <returns>Done, or an error: the caller then queues a full sync, as upstream does.</returns>
    public async Task<ReconcileResult> SyncBackendsAsync(ServiceKey key, CancellationToken cancellationToken)
    {
        var service = _cluster.GetService(key);
        if (service is null || !_predicates.WantsLoadBalancer(service) || ServicePredicates.NeedsCleanup(service)
            || _allocator.Get(key) is not { } allocation)
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

        var translation = _translator.Translate(service, mode, allocation.Addresses, nodes, SlicesFor(key, mode));
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

    /// <returns>The outcome; plus the waiters to retry when the allocation moved off an address or changed ports.</returns>
    private async Task<(ReconcileResult Result, IReadOnlyList<ServiceKey> Retry)> EnsureAsync(ServiceKey key, V1Service service, CancellationToken cancellationToken)
    {
        _events.Record(service, ServiceEvents.Normal, ServiceEvents.EnsuringLoadBalancer, ServiceEvents.EnsuringMessage);

        if (!ServicePredicates.HasCleanupFinalizer(service))
        {
            try
            {
                service = await _writer.AddFinalizerAsync(service, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (ReconcileResult.Failed($"failed to add load balancer cleanup finalizer: {ex.Message}"), []);
            }
        }

        var (request, requestError) = AllocationRequests.For(service);
        if (request is null)
        {
            await SetAddressConditionAsync(service, AddressAssignedCondition.Invalid(requestError!), cancellationToken);
            return (ReconcileResult.Failed($"failed to ensure load balancer: {requestError}"), []);
        }

        // A failure for want of an address leaves the Service waiting in the allocator.
        var allocation = _allocator.Assign(request);
        if (await SetAddressConditionAsync(service, AddressAssignedCondition.For(allocation), cancellationToken) is { } written)
        {
            service = written;
        }

        if (!allocation.Succeeded)
        {
            return (ReconcileResult.Failed($"failed to ensure load balancer: {allocation.Message}"), []);
        }

        try
        {
            return (await ProvisionAsync(key, service, allocation.Allocation, cancellationToken), allocation.Retry);
        }
        catch
        {
            // A crashed sync returns no retry list: those waiters must not be forgotten.
            _allocator.KeepWaiting(allocation.Retry);
            throw;
        }
    }

    /// <summary>
    /// Writes the <c>ferry.dev/AddressAssigned</c> condition when it says something new; a failed write is logged
    /// and left to the next sync (the address itself is what counts).
    /// </summary>
    /// <returns>The Service as stored after a write, or null when nothing was written.</returns>
    private async Task<V1Service?> SetAddressConditionAsync(V1Service service, V1Condition desired, CancellationToken cancellationToken)
    {
        var current = AddressAssignedCondition.Current(service);
        if (!AddressAssignedCondition.Differs(current, desired))
        {
            return null;
        }

        try
        {
            return await _writer.PatchConditionAsync(service, AddressAssignedCondition.WithTransitionTime(current, desired, _time.GetUtcNow()), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ConditionNotWritten(_logger, ServiceKeys.Of(service).ToString(), ex.Message);
            return null;
        }
    }

    /// <summary>Programs the load balancer for the Service's addresses and writes its status.</summary>
    private async Task<ReconcileResult> ProvisionAsync(ServiceKey key, V1Service service, Allocation allocation, CancellationToken cancellationToken)
    {
        var mode = _translator.TargetsFor(service);
        var nodes = EligibleNodes();
        if (mode == TargetMode.Nodes && nodes.Count == 0)
        {
            _events.Record(service, ServiceEvents.Warning, ServiceEvents.UnAvailableLoadBalancer, ServiceEvents.UnAvailableMessage);
        }

        var translation = _translator.Translate(service, mode, allocation.Addresses, nodes, SlicesFor(key, mode));
        foreach (var warning in translation.Warnings)
        {
            Log.TranslationWarning(_logger, key.ToString(), warning);
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
        if (!_ingress.Same(service.Status?.LoadBalancer, desired))
        {
            try
            {
                var answer = await _writer.PatchStatusAsync(service, desired, cancellationToken);
                if (_ingress.Learn(desired, answer))
                {
                    Log.IpModeSupportLearnt(_logger, _ingress.ServerDropsIpMode ? "drops" : "keeps");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return ReconcileResult.Failed($"failed to update load balancer status: {ex.Message}");
            }
        }

        return ReconcileResult.Done;
    }

    private async Task<(ReconcileResult Result, IReadOnlyList<ServiceKey> Retry)> DeleteAsync(ServiceKey key, V1Service service, CancellationToken cancellationToken)
    {
        var lbKey = key.LoadBalancer;
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
        // Releasing also ends any wait for an address.
        var retry = _allocator.Release(key);
        lock (_lock)
        {
            _lastSyncedNodes.Remove(key);
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
    private async Task<IReadOnlyList<ServiceKey>> ForgetAsync(ServiceKey key, CancellationToken cancellationToken)
    {
        if (await _provider.GetAsync(key.LoadBalancer, cancellationToken) is not null)
        {
            Log.DeletingOrphan(_logger, key.ToString());
            await _provider.EnsureDeletedAsync(key.LoadBalancer, cancellationToken);
        }

        lock (_lock)
        {
            _lastSyncedNodes.Remove(key);
        }

        // Releasing also ends any wait for an address.
        return _allocator.Release(key);
    }

    private ReconcileResult Report(ServiceKey key, V1Service service, ReconcileResult result)
    {
        if (!result.Succeeded)
        {
            Log.SyncFailed(_logger, key.ToString(), result.Error!);
            _events.Record(service, ServiceEvents.Warning, ServiceEvents.SyncLoadBalancerFailed, ServiceEvents.SyncFailedMessage(result.Error!));
        }

        return result;
    }

    private List<V1Node> EligibleNodes() => [.. _cluster.ListNodes().Where(NodePredicates.IsEligible)];

    private IReadOnlyList<V1EndpointSlice> SlicesFor(ServiceKey key, TargetMode mode) =>
        mode == TargetMode.Endpoints ? _cluster.EndpointSlicesFor(key) : [];

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Warning, "Error syncing load balancer for {Service}: {Error}")]
        public static partial void SyncFailed(ILogger logger, string service, string error);

        [LoggerMessage(2002, LogLevel.Warning, "Service {Service}: {Warning}")]
        public static partial void TranslationWarning(ILogger logger, string service, string warning);

        [LoggerMessage(2003, LogLevel.Information, "Service {Service} is gone; deleting its load balancer")]
        public static partial void DeletingOrphan(ILogger logger, string service);

        [LoggerMessage(2004, LogLevel.Information, "The API server {Behaviour} status.loadBalancer.ingress[].ipMode (it drops it before Kubernetes 1.30, or with the LoadBalancerIPMode feature gate off); status is compared accordingly")]
        public static partial void IpModeSupportLearnt(ILogger logger, string behaviour);

        [LoggerMessage(2005, LogLevel.Warning, "Could not write the ferry.dev/AddressAssigned condition of {Service}: {Error}")]
        public static partial void ConditionNotWritten(ILogger logger, string service, string error);
    }
}
