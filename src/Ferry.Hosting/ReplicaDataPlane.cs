using Ferry.Contracts;
using Ferry.Controller.LeaderElection;
using Ferry.DataPlane;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting;

/// <summary>
/// The data plane of one <c>ferry run</c> replica, which outlives its leadership terms: a control-plane
/// outage must not become a data-plane outage. When a term ends without a stop (the Lease could not be
/// renewed or was lost), the listeners and health checks of the last term keep serving, and are given
/// up only once another replica is seen holding and renewing the Lease (<see cref="SuccessorWitness"/>).
/// </summary>
/// <remarks>
/// A standby that never led holds nothing. A term that starts over a retained data plane takes it as
/// it is: the controller removes orphans and ensures every Service, and ensuring an unchanged spec
/// touches no socket, so listeners do not flap. A stop (SIGTERM) closes everything, as before the Lease
/// is released, so the next leader can bind the same addresses.
/// </remarks>
public sealed partial class ReplicaDataPlane : IAsyncDisposable
{
    private readonly SuccessorWitness _witness;
    private readonly Func<LoadBalancerKey, bool> _servedAsOwner;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private ServingState _state = ServingState.Idle;
    private Task _givingUp = Task.CompletedTask;
    private int _disposed;

    /// <param name="servedAsOwner">
    /// True for a load balancer this replica runs because it owns an announced address: not the term's,
    /// so a term neither retains nor gives it up (<see cref="Controller.Serving.ServingController"/> does).
    /// </param>
    public ReplicaDataPlane(IDataPlane provider, string identity, ILogger<ReplicaDataPlane> logger, Func<LoadBalancerKey, bool>? servedAsOwner = null)
    {
        Provider = provider;
        _servedAsOwner = servedAsOwner ?? (_ => false);
        _witness = new SuccessorWitness(identity);
        _logger = logger;
    }

    private enum ServingState
    {
        /// <summary>Serves nothing (a standby, or after giving up).</summary>
        Idle,

        /// <summary>The current term's controller programs it.</summary>
        Leading,

        /// <summary>No term runs; it keeps serving what the last term programmed.</summary>
        Retaining,
    }

    public IDataPlane Provider { get; }

    /// <summary>True while it serves what an ended term programmed, waiting to see another leader.</summary>
    public bool IsRetaining
    {
        get
        {
            lock (_lock)
            {
                return _state == ServingState.Retaining;
            }
        }
    }

    /// <summary>A term starts: the controller takes over whatever is still served (after a give-up in progress finished).</summary>
    public async Task BeginTermAsync()
    {
        Task givingUp;
        lock (_lock)
        {
            givingUp = _givingUp;
        }

        await givingUp;
        int retained;
        lock (_lock)
        {
            retained = _state == ServingState.Retaining ? TermCount() : 0;
            _state = ServingState.Leading;
            _witness.Reset();
        }

        if (retained > 0)
        {
            Log.LeadingAgain(_logger, retained);
        }
    }

    /// <summary>A term ended without a stop: keep serving what it programmed, if anything, until another replica leads.</summary>
    public void EndTerm()
    {
        int serving;
        lock (_lock)
        {
            serving = TermCount();
            _state = serving > 0 ? ServingState.Retaining : ServingState.Idle;
        }

        if (serving > 0)
        {
            Log.Retaining(_logger, serving);
        }
    }

    /// <summary>One read of the Lease (from the election); gives everything up once another replica holds and renews it.</summary>
    public void Observe(LeaseObservation observation)
    {
        lock (_lock)
        {
            if (_state != ServingState.Retaining || !_witness.Observe(observation))
            {
                return;
            }

            _state = ServingState.Idle;
            _givingUp = GiveUpAsync(_witness.Successor!);
        }
    }

    /// <summary>
    /// A stop while leading, with addresses served as their owner: closes the term's load balancers now (so the
    /// next leader finds their addresses free) and leaves those the announcing side serves, which drain while
    /// clients move to their new owners before it closes them.
    /// </summary>
    public async Task CloseTermAsync()
    {
        Task givingUp;
        lock (_lock)
        {
            _state = ServingState.Idle;
            givingUp = _givingUp;
        }

        await givingUp;
        if (Volatile.Read(ref _disposed) == 0)
        {
            await DeleteTermLoadBalancersAsync(await TermKeysAsync());
        }
    }

    /// <summary>Closes every listener and connection now (a stop); the provider cannot be used afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Task givingUp;
        lock (_lock)
        {
            _state = ServingState.Idle;
            givingUp = _givingUp;
        }

        await givingUp;
        await Provider.DisposeAsync();
    }

    private int TermCount() => Provider.GetStats().Count(s => !_servedAsOwner(s.Key));

    private async Task GiveUpAsync(string successor)
    {
        await Task.Yield();
        var keys = await TermKeysAsync();
        Log.GivingUp(_logger, successor, keys.Count);
        await DeleteTermLoadBalancersAsync(keys);
    }

    /// <summary>The load balancers a term programmed (not those served as an address's owner).</summary>
    private async Task<List<LoadBalancerKey>> TermKeysAsync() =>
        [.. (await Provider.ListAsync(CancellationToken.None)).Where(k => !_servedAsOwner(k))];

    private async Task DeleteTermLoadBalancersAsync(IEnumerable<LoadBalancerKey> keys)
    {
        foreach (var key in keys)
        {
            await Provider.EnsureDeletedAsync(key, CancellationToken.None);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5200, LogLevel.Warning, "Not the leader, but still serving the {Count} load balancers of the last term (listeners open, health checks running) until another replica is seen holding and renewing the Lease")]
        public static partial void Retaining(ILogger logger, int count);

        [LoggerMessage(5201, LogLevel.Information, "{Successor} holds and renews the Lease: giving up the {Count} load balancers still served here")]
        public static partial void GivingUp(ILogger logger, string successor, int count);

        [LoggerMessage(5202, LogLevel.Information, "Leading again: the controller takes over the {Count} load balancers still served from the last term")]
        public static partial void LeadingAgain(ILogger logger, int count);
    }
}
