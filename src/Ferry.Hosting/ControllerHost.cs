using Ferry.Contracts;
using System.Diagnostics.Metrics;
using Ferry.Controller;
using Ferry.Controller.Informers;
using Ferry.Controller.KubernetesApi;
using Ferry.Controller.Pools;
using Ferry.Controller.Predicates;
using Ferry.Controller.Reconciliation;
using Ferry.Controller.Translation;
using Ferry.DataPlane;
using Ferry.Ipam;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary>
/// The composition root of the controller half: informers, allocator, reconciler and controller
/// over a Kubernetes client, programming an in-process data plane. Used by <c>ferry up</c>,
/// <c>ferry run</c> and the end-to-end tests, so tests boot exactly what production boots.
/// </summary>
/// <remarks>
/// The controller metrics outlive the host (one per process, so leadership terms share
/// it); the data plane's meters come from the meter factory. The data plane is the host's own unless
/// one is given: <c>ferry run</c> gives every term the replica's data plane, which outlives the term.
/// </remarks>
public sealed class ControllerHost : IAsyncDisposable
{
    private readonly KubernetesEventRecorder _events;
    private readonly bool _ownsDataPlane;
    private readonly PoolObjects? _ownedPoolObjects;

    /// <param name="dataPlane">A data plane the caller owns (not disposed with the host); null builds one the host owns.</param>
    /// <param name="poolObjects">The pool informers when the caller runs them (a replica announces by them too); null: the host runs its own.</param>
    /// <param name="controllerView">What the controller programs instead of the data plane itself (a <see cref="LeaderServedProvider"/> when replicas serve announced addresses); null: the data plane.</param>
    /// <param name="informers">The Services, Nodes and EndpointSlices informers when the caller runs them (a replica serves from them too); null: the host runs its own.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ControllerHost(IKubernetes client, ControllerHostOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider, IMeterFactory? meterFactory = null, ControllerMetrics? controllerMetrics = null, IDataPlane? dataPlane = null, ILoadBalancerProvider? controllerView = null, PoolObjects? poolObjects = null, ClusterInformers? informers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(ControllerHostOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        var controllerOptions = options.Controller;
        _ownsDataPlane = dataPlane is null;
        DataPlane = dataPlane ?? DataPlaneFactory.Create(options.DataPlane, loggerFactory, timeProvider, meterFactory);
        var provider = controllerView ?? DataPlane;
        Allocator = new IpAllocator(options.Pools);
        var shared = informers ?? new ClusterInformers(client, controllerOptions.Informers, timeProvider, loggerFactory);
        var (services, nodes, slices) = (shared.Services, shared.Nodes, shared.Slices);
        var predicates = new ServicePredicates(controllerOptions.Classes);
        _events = new KubernetesEventRecorder(client, timeProvider, loggerFactory.CreateLogger<KubernetesEventRecorder>(), options.Identity);
        var reconciler = new ServiceReconciler(
            new InformerClusterView(services, nodes, slices),
            new KubernetesServiceWriter(client),
            _events,
            provider,
            Allocator,
            new ServiceTranslator(controllerOptions.Translation),
            predicates,
            loggerFactory.CreateLogger<ServiceReconciler>(),
            timeProvider);
        Controller = new ServiceController(services, nodes, slices, reconciler, predicates, Allocator, provider, _events, controllerOptions, timeProvider, loggerFactory.CreateLogger<ServiceController>(), controllerMetrics, informersRunElsewhere: informers is not null);
        if (options.PoolObjects)
        {
            // A process that runs the pool informers for its replicas too gives them; else the host runs its own.
            _ownedPoolObjects = poolObjects is null
                ? new PoolObjects(client, options.Pools, options.Announcements, controllerOptions.Informers, options.AbsentResourceRetry, timeProvider, loggerFactory)
                : null;
            Pools = new AddressPoolController(client, poolObjects ?? _ownedPoolObjects!, options.Pools, Allocator, timeProvider, loggerFactory.CreateLogger<AddressPoolController>());
            Pools.PoolsChanged += Controller.ResyncAll;
        }
    }

    public IDataPlane DataPlane { get; }

    public IpAllocator Allocator { get; }

    public ServiceController Controller { get; }

    /// <summary>The AddressPool objects' controller (null when <see cref="ControllerHostOptions.PoolObjects"/> is off).</summary>
    public AddressPoolController? Pools { get; }

    /// <summary>Runs the controller until cancelled: the pools first (bounded), so restored allocations find theirs.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Pools is null)
        {
            await Controller.RunAsync(cancellationToken);
            return;
        }

        var informer = _ownedPoolObjects?.RunAsync(cancellationToken) ?? Task.CompletedTask;
        try
        {
            await Pools.StartAsync(TimeSpan.FromSeconds(10), cancellationToken);
            await Task.WhenAll(Controller.RunAsync(cancellationToken), Pools.RunAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await informer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Flushes pending Events, then closes every listener (of a data plane the host owns; a given one keeps serving).</summary>
    public async ValueTask DisposeAsync()
    {
        Controller.Dispose();
        await _events.DisposeAsync();
        if (_ownsDataPlane)
        {
            await DataPlane.DisposeAsync();
        }
    }
}
