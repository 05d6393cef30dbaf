using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Ferry.Ipam;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Pools;

/// <summary>
/// The leader's side of <c>AddressPool</c> objects (ferry.dev/v1alpha1, <c>deploy/crds/</c>): it merges them with the
/// seed pools (the pools file or <c>--pool</c>) into the allocator's pools as they change, so a new or grown pool
/// is used at once; keeps their status (capacity, allocated, free, the <c>Ready</c> condition) in step with the
/// allocations; and holds a deleted pool with <see cref="PoolFinalizer.Name"/> until no Service holds an address
/// from it. Shrinking or deleting a pool never takes an address from a Service: the allocator keeps it
/// (outside the pools) and the pool's status says who still holds what. Writes only what changed.
/// </summary>
public sealed partial class AddressPoolController
{
    /// <summary>The resource's group, version and plural.</summary>
    public const string Group = "ferry.dev";

    /// <inheritdoc cref="Group"/>
    public const string Version = "v1alpha1";

    /// <inheritdoc cref="Group"/>
    public const string Plural = "addresspools";

    private readonly IKubernetes _client;
    private readonly PoolObjects _objects;
    private readonly IpAllocator _allocator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _statusInterval;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ImmutableArray<AddressPool> _applied;

    /// <param name="seed">The pools the allocator starts with (the same seed <paramref name="objects"/> has).</param>
    /// <param name="statusInterval">How often allocation counts are brought into the status when no pool changed.</param>
    public AddressPoolController(
        IKubernetes client,
        PoolObjects objects,
        IReadOnlyList<AddressPool> seed,
        IpAllocator allocator,
        TimeProvider timeProvider,
        ILogger<AddressPoolController> logger,
        TimeSpan? statusInterval = null)
    {
        _client = client;
        _objects = objects;
        _allocator = allocator;
        _time = timeProvider;
        _logger = logger;
        _statusInterval = statusInterval ?? TimeSpan.FromSeconds(2);
        _applied = [.. seed];
        objects.Changed += () => _signal.Writer.TryWrite(true);
    }

    /// <summary>Raised (on the controller's loop) after the allocator got new pools: Services waiting for an address may get one now.</summary>
    public event Action? PoolsChanged;

    /// <summary>The pools in effect and each object's verdict, as last computed.</summary>
    public PoolSet? Current => _objects.Current;

    /// <summary>
    /// Waits (bounded by <paramref name="syncTimeout"/>: a cluster that refuses the list must not keep the Service
    /// controller from starting) for the objects and gives the allocator their pools; called before the Service
    /// controller starts, so the allocations it restores find their pools.
    /// </summary>
    public async Task StartAsync(TimeSpan syncTimeout, CancellationToken cancellationToken)
    {
        await _objects.WaitForSyncAsync(syncTimeout, cancellationToken);
        ApplyPools();
    }

    /// <summary>Keeps pools, statuses and finalizers in step until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (ApplyPools())
                {
                    PoolsChanged?.Invoke();
                }

                await WriteStatusAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is k8s.Autorest.HttpOperationException or HttpRequestException or KubernetesException)
            {
                Log.WriteFailed(_logger, ex.Message);
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wake.CancelAfter(_statusInterval);
            try
            {
                await _signal.Reader.ReadAsync(wake.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Computes the pool set from the caches; gives the allocator its pools when they changed.</summary>
    private bool ApplyPools()
    {
        var set = _objects.Build();
        if (set.Pools.SequenceEqual(_applied))
        {
            return false;
        }

        _applied = set.Pools;
        foreach (var kept in _allocator.UpdatePools(set.Pools))
        {
            Log.KeptOutsidePools(_logger, kept.ToString());
        }

        IEnumerable<string> names = [.. set.Pools.Select(p => p.Name)];
        Log.PoolsApplied(_logger, set.Pools.Length, names);
        return true;
    }

    private async Task WriteStatusAsync(CancellationToken cancellationToken)
    {
        if (Current is not { } set)
        {
            return;
        }

        var allocations = _allocator.Snapshot();
        foreach (var cached in _objects.AddressPools.List())
        {
            var json = cached.ToJson();
            var pool = AddressPoolResource.Parse(json);
            if (PoolFinalizer.MayRemove(pool, allocations))
            {
                Log.Released(_logger, pool.Name);
                await PatchFinalizersAsync(pool, [.. pool.Finalizers.Where(f => f != PoolFinalizer.Name)], cached.Metadata.ResourceVersion, cancellationToken);
                continue;
            }

            if (PoolFinalizer.NeedsAdding(pool))
            {
                await PatchFinalizersAsync(pool, [.. pool.Finalizers, PoolFinalizer.Name], cached.Metadata.ResourceVersion, cancellationToken);
            }

            var verdict = set.Verdicts.GetValueOrDefault(pool.Name) ?? new PoolVerdict(false, PoolVerdict.Deleting, string.Empty);
            var update = PoolStatus.Compute(pool, verdict, allocations, _time.GetUtcNow(), cached.Status);
            if (update.Changed)
            {
                await _client.CustomObjects.PatchClusterCustomObjectStatusAsync(
                    new V1Patch(new JsonObject { ["status"] = update.Status.DeepClone() }.ToJsonString(), V1Patch.PatchType.MergePatch),
                    Group, Version, Plural, pool.Name, cancellationToken: cancellationToken);
            }

        }
    }

    /// <summary>Replaces the finalizers, guarded by the resourceVersion read (a conflict is retried on the next pass).</summary>
    private async Task PatchFinalizersAsync(AddressPoolResource pool, string[] finalizers, string? resourceVersion, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = resourceVersion,
                ["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode?)JsonValue.Create(f))]),
            },
        };
        try
        {
            await _client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, Plural, pool.Name, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode is System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.NotFound)
        {
            // Changed or gone meanwhile: the informer brings the news and the next pass decides again.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2640, Level = LogLevel.Information, Message = "Address pools in use: {Count} ({Names})")]
        public static partial void PoolsApplied(ILogger logger, int count, IEnumerable<string> names);

        [LoggerMessage(EventId = 2642, Level = LogLevel.Warning, Message = "Service {Service} keeps addresses no pool holds any more (its pool shrank or was deleted)")]
        public static partial void KeptOutsidePools(ILogger logger, string service);

        [LoggerMessage(EventId = 2643, Level = LogLevel.Information, Message = "AddressPool {Pool} was deleted and no Service holds an address from it: letting it go")]
        public static partial void Released(ILogger logger, string pool);

        [LoggerMessage(EventId = 2644, Level = LogLevel.Warning, Message = "Could not update an AddressPool: {Error}")]
        public static partial void WriteFailed(ILogger logger, string error);
    }
}
