using Ferry.Contracts;
using Ferry.Controller.Informers;
using Ferry.Controller.KubernetesApi;
using Ferry.Controller.Predicates;
using Ferry.Controller.Queue;
using Ferry.Controller.Reconciliation;
using Ferry.Ipam;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller;

/// <summary>
/// The service controller: informers feed a deduplicating work queue, workers sync one Service at
/// a time through <see cref="ServiceReconciler"/>, node and EndpointSlice changes update backends.
/// </summary>
/// <remarks>
/// On start it waits for the caches, then rebuilds the IP allocations from the Services' status
/// (already-assigned Services first) before it syncs anything, so a restart never changes or leaks
/// an IP, even one the pools no longer hold (kept, with a Warning Event <c>AddressOutsidePools</c>).
/// </remarks>
public sealed partial class ServiceController : IDisposable
{
    private readonly ResourceInformer<V1Service> _services;
    private readonly ResourceInformer<V1Node> _nodes;
    private readonly ResourceInformer<V1EndpointSlice> _slices;
    private readonly ServiceReconciler _reconciler;
    private readonly ServicePredicates _predicates;
    private readonly IpAllocator _allocator;
    private readonly ILoadBalancerProvider _provider;
    private readonly IEventRecorder _events;
    private readonly ControllerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ControllerMetrics? _metrics;
    private readonly WorkQueue<ServiceKey> _serviceQueue;
    private readonly WorkQueue<ServiceKey> _backendQueue;
    private readonly bool _informersRunElsewhere;
    private readonly IDisposable[] _subscriptions;
    private volatile bool _isQueueing;
    private long _syncs;
    private long _syncFailures;

    public ServiceController(
        ResourceInformer<V1Service> services,
        ResourceInformer<V1Node> nodes,
        ResourceInformer<V1EndpointSlice> slices,
        ServiceReconciler reconciler,
        ServicePredicates predicates,
        IpAllocator allocator,
        ILoadBalancerProvider provider,
        IEventRecorder events,
        ControllerOptions options,
        TimeProvider timeProvider,
        ILogger<ServiceController> logger,
        ControllerMetrics? metrics = null,
        bool informersRunElsewhere = false)
    {
        _timeProvider = timeProvider;
        _metrics = metrics;
        _services = services;
        _nodes = nodes;
        _slices = slices;
        _reconciler = reconciler;
        _predicates = predicates;
        _allocator = allocator;
        _provider = provider;
        _events = events;
        _options = options;
        _logger = logger;
        _serviceQueue = new WorkQueue<ServiceKey>(timeProvider, RequeueBackoff.ServiceController);
        _backendQueue = new WorkQueue<ServiceKey>(timeProvider, RequeueBackoff.ServiceController);
        _informersRunElsewhere = informersRunElsewhere;
        _subscriptions = [_services.Subscribe(OnServiceChanged), _nodes.Subscribe(OnNodeChanged), _slices.Subscribe(OnSliceChanged)];
        metrics?.Attach(this);
    }

    /// <summary>Completed Service syncs (success or failure).</summary>
    public long SyncCount => Interlocked.Read(ref _syncs);

    public long SyncFailureCount => Interlocked.Read(ref _syncFailures);

    /// <summary>External IPs allocated now (for metrics).</summary>
    public int AllocatedCount => _allocator.Count;

    /// <summary>Services waiting in the work queue (for metrics).</summary>
    public int QueueDepth => _serviceQueue.Count;

    /// <summary>True once the caches are filled and allocations rebuilt.</summary>
    public bool IsReady { get; private set; }

    /// <summary>Runs the informers (unless they run elsewhere: see the constructor) and the workers until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Task[] informers = _informersRunElsewhere
            ? []
            : [_services.RunAsync(cancellationToken), _nodes.RunAsync(cancellationToken), _slices.RunAsync(cancellationToken)];
        try
        {
            await Task.WhenAll(
                _services.WaitForSyncAsync(cancellationToken),
                _nodes.WaitForSyncAsync(cancellationToken),
                _slices.WaitForSyncAsync(cancellationToken));
            // From here on changes are queued (workers start below), so nothing that arrives while
            // the allocations are rebuilt or the initial list is queued is missed.
            _isQueueing = true;
            RebuildAllocations();
            await RemoveOrphansAsync(cancellationToken);
            foreach (var service in _services.List().Where(s => _predicates.ShouldEnqueueAdded(s)))
            {
                _serviceQueue.Add(ServiceKeys.Of(service));
            }

            IsReady = true;
            var workers = Enumerable.Range(0, Math.Max(1, _options.Workers)).Select(_ => ServiceWorkerAsync(cancellationToken)).Append(BackendWorkerAsync(cancellationToken));
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _serviceQueue.ShutDown();
            _backendQueue.ShutDown();
            await Task.WhenAll(informers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Queues every LoadBalancer Service for a sync (after the pools changed: a waiting Service may get an
    /// address now, and one whose address left the pools is told so). Nothing happens before the controller runs.
    /// </summary>
    public void ResyncAll()
    {
        if (!_isQueueing)
        {
            return;
        }

        foreach (var service in _services.List().Where(s => _predicates.ShouldEnqueueAdded(s)))
        {
            _serviceQueue.Add(ServiceKeys.Of(service));
        }
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _metrics?.Detach(this);
        _serviceQueue.Dispose();
        _backendQueue.Dispose();
    }

    private void RebuildAllocations()
    {
        // Services that already show an IP first, so nobody new takes theirs (MetalLB's order).
        var withStatus = _services.List()
            .Where(s => AllocationRequests.StatusAddresses(s).Length > 0 && (_predicates.WantsLoadBalancer(s) || ServicePredicates.HasCleanupFinalizer(s)))
            .OrderBy(s => s.Metadata?.CreationTimestamp ?? DateTime.MaxValue);
        foreach (var service in withStatus)
        {
            var (request, _) = AllocationRequests.For(service);
            if (request is null)
            {
                continue;
            }

            // An address no pool holds any more is kept, loudly (docs/running-in-a-cluster.md, "deploy/": a pools change never re-addresses a live Service).
            var result = _allocator.Restore(request with { RequestedAddresses = AllocationRequests.StatusAddresses(service) });
            if (result is { Succeeded: true, Allocation.IsOutsidePools: true })
            {
                var addresses = string.Join(", ", result.Allocation.Addresses);
                Log.AllocationOutsidePools(_logger, request.Owner.ToString(), addresses);
                _events.Record(service, ServiceEvents.Warning, ServiceEvents.AddressOutsidePools, ServiceEvents.AddressOutsidePoolsMessage(addresses));
            }
            else if (result.Succeeded)
            {
                Log.AllocationRestored(_logger, request.Owner.ToString(), string.Join(", ", result.Allocation.Addresses));
            }
            else
            {
                Log.AllocationNotRestored(_logger, request.Owner.ToString(), result.Message);
            }
        }
    }

    private async Task RemoveOrphansAsync(CancellationToken cancellationToken)
    {
        foreach (var key in await _provider.ListAsync(cancellationToken))
        {
            if (_services.Get(ObjectKeys.For(key.Namespace, key.Name)) is null)
            {
                Log.OrphanRemoved(_logger, key.ToString());
                await _provider.EnsureDeletedAsync(key, cancellationToken);
            }
        }
    }

    private async Task ServiceWorkerAsync(CancellationToken cancellationToken)
    {
        while (await TakeAsync(_serviceQueue, cancellationToken) is { } key)
        {
            var started = _timeProvider.GetTimestamp();
            try
            {
                var (result, retry) = await _reconciler.SyncAsync(key, cancellationToken);
                Interlocked.Increment(ref _syncs);
                _metrics?.SyncCompleted(result.Succeeded ? "success" : "failure", _timeProvider.GetElapsedTime(started));
                foreach (var waiting in retry)
                {
                    _serviceQueue.Add(waiting);
                }

                if (result.Succeeded)
                {
                    _serviceQueue.Forget(key);
                }
                else
                {
                    Interlocked.Increment(ref _syncFailures);
                    var delay = _serviceQueue.AddRateLimited(key);
                    Log.Retrying(_logger, key.ToString(), delay.TotalSeconds);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _syncFailures);
                _metrics?.SyncCompleted("error", _timeProvider.GetElapsedTime(started));
                Log.SyncCrashed(_logger, key.ToString(), ex);
                _serviceQueue.AddRateLimited(key);
            }
            finally
            {
                _serviceQueue.Done(key);
            }
        }
    }

    private async Task BackendWorkerAsync(CancellationToken cancellationToken)
    {
        while (await TakeAsync(_backendQueue, cancellationToken) is { } key)
        {
            try
            {
                var result = await _reconciler.SyncBackendsAsync(key, cancellationToken);
                if (!result.Succeeded)
                {
                    // As upstream: a failed host update becomes a full sync of the Service.
                    _serviceQueue.AddRateLimited(key);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.SyncCrashed(_logger, key.ToString(), ex);
                _serviceQueue.AddRateLimited(key);
            }
            finally
            {
                _backendQueue.Done(key);
            }
        }
    }

    /// <summary>The next key, or null once cancelled or shut down.</summary>
    private static async Task<ServiceKey?> TakeAsync(WorkQueue<ServiceKey> queue, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        try
        {
            return await queue.TakeAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private void OnServiceChanged(InformerEvent<V1Service> change)
    {
        var key = ServiceKeys.Of(change.Current);
        var enqueue = change.Type switch
        {
            InformerEventType.Added => _predicates.ShouldEnqueueAdded(change.Current),
            InformerEventType.Updated => OnServiceUpdated(change.Old!, change.Current),

            // Gone without our finalizer (or after it was removed): make sure nothing is left behind.
            _ => true,
        };
        if (enqueue && _isQueueing)
        {
            _serviceQueue.Add(key);
        }
    }

    /// <summary>
    /// Upstream's UpdateFunc: <c>needsUpdate || needsCleanup</c>. The change Events are recorded here, from the
    /// old and new object the informer saw, as upstream's <c>needsUpdate</c> does; a sync could not tell what changed.
    /// </summary>
    private bool OnServiceUpdated(V1Service old, V1Service current)
    {
        var change = _predicates.DescribeUpdate(old, current);
        if (change is { HasEvent: true })
        {
            _events.Record(current, ServiceEvents.Normal, change.Reason!, change.Message!);
        }

        return change is not null || ServicePredicates.NeedsCleanup(current);
    }

    private void OnNodeChanged(InformerEvent<V1Node> change)
    {
        if (!_isQueueing || (change.Type == InformerEventType.Updated && !NodePredicates.EligibilityChanged(change.Old!, change.Current)
            && NodePredicates.IsEligible(change.Old!) == NodePredicates.IsEligible(change.Current)))
        {
            return;
        }

        foreach (var service in _services.List().Where(_predicates.WantsLoadBalancer))
        {
            _backendQueue.Add(ServiceKeys.Of(service));
        }
    }

    private void OnSliceChanged(InformerEvent<V1EndpointSlice> change)
    {
        if (_isQueueing && ServiceKeys.OwnerOf(change.Current) is { } service)
        {
            _backendQueue.Add(service);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2301, LogLevel.Information, "Restored {Service} -> {Addresses} from its status")]
        public static partial void AllocationRestored(ILogger logger, string service, string addresses);

        [LoggerMessage(2302, LogLevel.Warning, "Could not restore the address of {Service} from its status: {Reason}")]
        public static partial void AllocationNotRestored(ILogger logger, string service, string reason);

        [LoggerMessage(2303, LogLevel.Information, "Removed load balancer {LoadBalancer}: no Service has it")]
        public static partial void OrphanRemoved(ILogger logger, string loadBalancer);

        [LoggerMessage(2304, LogLevel.Information, "Retrying {Service} in {DelaySeconds} s")]
        public static partial void Retrying(ILogger logger, string service, double delaySeconds);

        [LoggerMessage(2305, LogLevel.Error, "Sync of {Service} failed unexpectedly")]
        public static partial void SyncCrashed(ILogger logger, string service, Exception exception);

        [LoggerMessage(2306, LogLevel.Warning, "Kept {Addresses} for {Service} from its status although no address pool holds it any more; it is released when the Service goes or asks for another address")]
        public static partial void AllocationOutsidePools(ILogger logger, string service, string addresses);
    }
}
