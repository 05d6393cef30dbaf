using Ferry.Contracts.Announcement;
using Ferry.Controller.Informers;
using Ferry.Ipam;
using k8s;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.Pools;

/// <summary>
/// The pools as the cluster configures them: the seed (the pools file or <c>--pool</c>), AddressPool objects and
/// MetalLB's IPAddressPools and L2Advertisements, cached by informers and combined by <see cref="PoolSet.Build"/>.
/// The leader allocates from them (<see cref="AddressPoolController"/>); every replica announces by them. Each
/// computes the same set from the same objects; a pool serving already keeps precedence (<see cref="Build"/>).
/// </summary>
public sealed partial class PoolObjects
{
    private readonly IReadOnlyList<AddressPool> _seed;
    private readonly IReadOnlyList<PoolAnnouncement> _seedAnnouncements;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private PoolSet? _current;
    private long _version;
    private long _builtVersion = -1;
    private HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <param name="absentRetry">How often a kind the cluster does not serve is looked for again.</param>
    public PoolObjects(IKubernetes client, IReadOnlyList<AddressPool> seed, IReadOnlyList<PoolAnnouncement> seedAnnouncements, InformerOptions options, TimeSpan absentRetry, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _seed = seed;
        _seedAnnouncements = seedAnnouncements;
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger<PoolObjects>();
        AddressPools = new ResourceInformer<CustomObject>(
            CustomObjectSources.Of(client, AddressPoolController.Group, AddressPoolController.Version, AddressPoolController.Plural, absentRetry),
            options, timeProvider, SharedRandomSource.Instance, loggerFactory.CreateLogger("Ferry.Controller.Informers.AddressPools"));
        MetalLb = new MetalLbInformers(client, options, absentRetry, timeProvider, loggerFactory);
        foreach (var informer in All)
        {
            informer.OnChange(_ =>
            {
                Interlocked.Increment(ref _version);
                Changed?.Invoke();
            });
        }
    }

    /// <summary>Raised (on an informer's loop; handlers must not block) when any object changed.</summary>
    public event Action? Changed;

    /// <summary>The AddressPool objects.</summary>
    public ResourceInformer<CustomObject> AddressPools { get; }

    /// <summary>MetalLB's objects.</summary>
    public MetalLbInformers MetalLb { get; }

    /// <summary>The set <see cref="Build"/> computed last (null before the first).</summary>
    public PoolSet? Current => Volatile.Read(ref _current);

    private IEnumerable<ResourceInformer<CustomObject>> All => MetalLb.All.Prepend(AddressPools);

    /// <summary>Runs the informers until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(All.Select(i => i.RunAsync(cancellationToken)));

    /// <summary>Waits until every kind was listed once, or <paramref name="timeout"/>; false (and a log line) on the timeout.</summary>
    public async Task<bool> WaitForSyncAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var informers = All.ToList();
        await Task.WhenAny(Task.WhenAll(informers.Select(i => i.WaitForSyncAsync(cancellationToken))), Task.Delay(timeout, _time, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        if (informers.TrueForAll(i => i.HasSynced))
        {
            return true;
        }

        Log.NotSynced(_logger, timeout.TotalSeconds);
        return false;
    }

    /// <summary>
    /// Computes the pool set from the caches. The objects that served in the previous set keep precedence over
    /// newcomers; what MetalLB configures and Ferry does not support is logged once. Computed once per change of
    /// the caches: the leader's controller (every status pass) and the replica's announcing ask for the same set.
    /// </summary>
    public PoolSet Build()
    {
        lock (_gate)
        {
            var version = Interlocked.Read(ref _version);
            if (version == _builtVersion && _current is { } unchanged)
            {
                return unchanged;
            }

            _builtVersion = version;
            var objects = AddressPools.List().Select(o => AddressPoolResource.Parse(o.ToJson())).ToList();
            var metalLb = MetalLb.Translate();
            // Ferry's own object wins a name both use (it is listed first).
            objects.AddRange(metalLb.Pools);
            foreach (var message in metalLb.Unsupported.Where(m => !_reported.Contains(m)))
            {
                Log.MetalLbUnsupported(_logger, message);
            }

            _reported = [.. metalLb.Unsupported];
            var previous = _current;
            var incumbents = previous?.Verdicts.Where(v => v.Value.IsReady).Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
            var set = PoolSet.Build(_seed, _seedAnnouncements, objects, incumbents, metalLb.Priorities);
            foreach (var (name, verdict) in set.Verdicts)
            {
                if (previous?.Verdicts.GetValueOrDefault(name) != verdict && !verdict.IsReady)
                {
                    Log.PoolNotReady(_logger, name, verdict.Reason, verdict.Message);
                }
            }

            Volatile.Write(ref _current, set);
            return set;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2641, Level = LogLevel.Warning, Message = "Address pool {Pool} is not ready ({Reason}): {Message}")]
        public static partial void PoolNotReady(ILogger logger, string pool, string reason, string message);

        [LoggerMessage(EventId = 2645, Level = LogLevel.Warning, Message = "AddressPool (or MetalLB) objects not listed within {Seconds} s; starting with what was listed, the rest follows when listed")]
        public static partial void NotSynced(ILogger logger, double seconds);

        [LoggerMessage(EventId = 2646, Level = LogLevel.Warning, Message = "MetalLB configuration: {Message}")]
        public static partial void MetalLbUnsupported(ILogger logger, string message);
    }
}
