using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.Ipam;

/// <summary>
/// Hands out external IPs from <see cref="AddressPool"/>s to Services: honours requested addresses
/// and pools, lets Services with the same sharing key share an address when their ports are
/// disjoint, and never gives one address to two Services that do not share.
/// </summary>
/// <remarks>
/// Pure and in memory: the controller rebuilds it on start by replaying the addresses in Services'
/// status (already-assigned Services first), so a restart yields the same map. Conflicts and
/// exhaustion are results, not exceptions. All members are thread-safe.
/// It is also the one registry of Services waiting for an address: a failed <see cref="Assign"/>
/// for want of an address or port registers the owner, and whatever frees one (a
/// <see cref="Release"/>, or an <see cref="Assign"/> that moves its owner off an address or changes
/// its ports) hands the waiters back, each once, for the caller to retry.
/// </remarks>
public sealed class IpAllocator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ServiceKey, Allocation> _byOwner = [];
    private readonly Dictionary<IPAddress, List<Allocation>> _byAddress = [];
    private readonly HashSet<ServiceKey> _waiting = [];
    private ImmutableArray<AddressPool> _pools;

    public IpAllocator(IEnumerable<AddressPool> pools) => _pools = [.. pools];

    public ImmutableArray<AddressPool> Pools
    {
        get
        {
            lock (_lock)
            {
                return _pools;
            }
        }
    }

    /// <summary>How many Services hold addresses.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byOwner.Count;
            }
        }
    }

    public Allocation? Get(ServiceKey owner)
    {
        lock (_lock)
        {
            return _byOwner.GetValueOrDefault(owner);
        }
    }

    /// <summary>Every current allocation, for metrics and checks.</summary>
    public IReadOnlyList<Allocation> Snapshot()
    {
        lock (_lock)
        {
            return [.. _byOwner.Values];
        }
    }

    /// <summary>The Services holding <paramref name="address"/> (more than one only when they share).</summary>
    public IReadOnlyList<ServiceKey> Holders(IPAddress address)
    {
        lock (_lock)
        {
            return _byAddress.TryGetValue(address, out var holders) ? [.. holders.Select(h => h.Owner)] : [];
        }
    }

    /// <summary>
    /// Gives the request's owner addresses, or keeps the ones it has when they still fit the request.
    /// On failure for want of an address or port the owner keeps what it held before and waits;
    /// on a success that moved the owner off an address or changed its ports, the result names the
    /// waiters to retry (<see cref="AllocationResult.Retry"/>).
    /// </summary>
    public AllocationResult Assign(AllocationRequest request)
    {
        lock (_lock)
        {
            _byOwner.TryGetValue(request.Owner, out var before);
            var result = AssignLocked(request);
            if (result.Error is AllocationError.AddressInUse or AllocationError.PortConflict or AllocationError.PoolExhausted or AllocationError.NoPool)
            {
                _waiting.Add(request.Owner);
            }

            if (!result.Succeeded)
            {
                return result;
            }

            _waiting.Remove(request.Owner);
            var after = result.Allocation;
            return before is null || (before.Addresses.SequenceEqual(after.Addresses) && before.Ports.SequenceEqual(after.Ports))
                ? result
                : result.WithRetry(TakeWaiters());
        }
    }

    /// <summary>
    /// Replays the addresses a Service showed in its status before a restart (<see cref="AllocationRequest.RequestedAddresses"/>).
    /// When no pool (or not the Service's pool) holds them any more, they are still kept, as an allocation
    /// <see cref="Allocation.IsOutsidePools"/>: a pools change never re-addresses a live Service. It keeps them
    /// while its requests ask for nothing else, and nobody else gets them until it releases them.
    /// </summary>
    /// <returns>The allocation (check <see cref="Allocation.IsOutsidePools"/>), or why the addresses could not be kept (held by another Service, invalid).</returns>
    public AllocationResult Restore(AllocationRequest request)
    {
        lock (_lock)
        {
            var result = AssignLocked(request);
            if (result.Succeeded
                || request.RequestedAddresses.IsDefaultOrEmpty
                || result.Error is not (AllocationError.AddressNotInPool or AllocationError.UnknownPool or AllocationError.NamespaceNotAllowed))
            {
                return result;
            }

            foreach (var address in request.RequestedAddresses)
            {
                if (Conflict(address, request) is { } conflict)
                {
                    return conflict;
                }
            }

            if (_byOwner.TryGetValue(request.Owner, out var current))
            {
                Remove(current);
            }

            var kept = new Allocation(request.Owner, request.RequestedAddresses, string.Empty, request.SharingKey, request.Ports, IsOutsidePools: true);
            Add(kept);
            _waiting.Remove(request.Owner);
            return AllocationResult.Success(kept);
        }
    }

    /// <summary>
    /// Frees the owner's addresses and forgets that it waited. Returns the owners that were waiting
    /// for an address and should be retried now (each is returned once; a retry that fails again
    /// waits again).
    /// </summary>
    public IReadOnlyList<ServiceKey> Release(ServiceKey owner)
    {
        lock (_lock)
        {
            _waiting.Remove(owner);
            if (!_byOwner.TryGetValue(owner, out var existing))
            {
                return [];
            }

            Remove(existing);
            return TakeWaiters();
        }
    }

    /// <summary>
    /// Registers owners as waiting again: for a caller that was handed waiters to retry
    /// (<see cref="AllocationResult.Retry"/>, <see cref="Release"/>) but could not pass them on.
    /// </summary>
    public void KeepWaiting(IEnumerable<ServiceKey> owners)
    {
        lock (_lock)
        {
            _waiting.UnionWith(owners);
        }
    }

    /// <summary>Whether <paramref name="owner"/> waits for an address (its last assignment failed for want of one).</summary>
    public bool IsWaiting(ServiceKey owner)
    {
        lock (_lock)
        {
            return _waiting.Contains(owner);
        }
    }

    /// <summary>
    /// Replaces the pools. Allocations are kept, those no pool holds any more as <see cref="Allocation.IsOutsidePools"/>
    /// (as <see cref="Restore"/> does); their owners are returned so the caller can warn about them.
    /// </summary>
    public IReadOnlyList<ServiceKey> UpdatePools(IEnumerable<AddressPool> pools)
    {
        lock (_lock)
        {
            _pools = [.. pools];
            var outside = _byOwner.Values
                .Where(a => _pools.FirstOrDefault(p => p.Name == a.PoolName) is not { } pool || !a.Addresses.All(pool.CanAssign))
                .ToArray();
            foreach (var allocation in outside.Where(a => !a.IsOutsidePools))
            {
                Replace(allocation, allocation with { PoolName = string.Empty, IsOutsidePools = true });
            }

            return [.. outside.Select(a => a.Owner)];
        }
    }

    private ServiceKey[] TakeWaiters()
    {
        ServiceKey[] waiters = [.. _waiting];
        _waiting.Clear();
        return waiters;
    }

    private AllocationResult AssignLocked(AllocationRequest request)
    {
        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        // A pool problem fails the request only when the Service cannot keep what it holds: an address kept
        // outside the pools stays even when the pool it names is gone or no longer serves its namespace.
        ImmutableArray<AddressPool> candidates = [];
        AllocationResult? poolError = null;
        if (request.PoolName is not null)
        {
            var pool = _pools.FirstOrDefault(p => p.Name == request.PoolName);
            if (pool is null)
            {
                poolError = AllocationResult.Failure(AllocationError.UnknownPool, $"address pool \"{request.PoolName}\" does not exist");
            }
            else if (!pool.AllowsNamespace(request.Namespace))
            {
                poolError = AllocationResult.Failure(AllocationError.NamespaceNotAllowed, $"address pool \"{pool.Name}\" is not available to namespace \"{request.Namespace}\"");
            }
            else
            {
                candidates = [pool];
            }
        }
        else
        {
            candidates = [.. _pools.Where(p => p.AllowsNamespace(request.Namespace))];
        }

        _byOwner.TryGetValue(request.Owner, out var current);
        if (current is not null && Fits(current, request, candidates))
        {
            var updated = current with { Ports = request.Ports, SharingKey = request.SharingKey };
            if (current.IsOutsidePools && candidates.FirstOrDefault(p => current.Addresses.All(p.CanAssign)) is { } pool)
            {
                updated = updated with { PoolName = pool.Name, IsOutsidePools = false }; // a pool holds them again
            }

            Replace(current, updated);
            return AllocationResult.Success(updated);
        }

        if (poolError is not null)
        {
            return poolError;
        }

        var result = request.RequestedAddresses.IsDefaultOrEmpty
            ? AssignAutomatically(request, candidates)
            : AssignRequested(request, candidates);
        if (result.Succeeded)
        {
            if (current is not null)
            {
                Remove(current);
            }

            Add(result.Allocation);
        }

        return result;
    }

    private bool Fits(Allocation current, AllocationRequest request, ImmutableArray<AddressPool> candidates)
    {
        if (!current.Addresses.Select(a => a.AddressFamily).Order().SequenceEqual(request.Families.Order()))
        {
            return false;
        }

        if (!request.RequestedAddresses.IsDefaultOrEmpty && !request.RequestedAddresses.Order(AddressComparer.Instance).SequenceEqual(current.Addresses.Order(AddressComparer.Instance)))
        {
            return false;
        }

        if (current.IsOutsidePools)
        {
            // Kept across a pools change: it stays while the Service asks for nothing else.
            return current.Addresses.All(a => Conflict(a, request) is null);
        }

        var pool = candidates.FirstOrDefault(p => p.Name == current.PoolName);
        if (pool is null || !current.Addresses.All(pool.CanAssign))
        {
            return false;
        }

        if (request.RequestedAddresses.IsDefaultOrEmpty && !pool.AutoAssign && request.PoolName is null)
        {
            return false;
        }

        return current.Addresses.All(a => Conflict(a, request) is null);
    }

    private AllocationResult AssignRequested(AllocationRequest request, ImmutableArray<AddressPool> candidates)
    {
        AddressPool? chosen = null;
        foreach (var address in request.RequestedAddresses)
        {
            var pool = candidates.FirstOrDefault(p => p.CanAssign(address));
            if (pool is null)
            {
                var where = request.PoolName is null ? "any address pool available to namespace \"" + request.Namespace + "\"" : $"address pool \"{request.PoolName}\"";
                return AllocationResult.Failure(AllocationError.AddressNotInPool, $"requested address {address} is not in {where}");
            }

            chosen ??= pool;
            if (Conflict(address, request) is { } conflict)
            {
                return conflict;
            }
        }

        return AllocationResult.Success(new Allocation(request.Owner, request.RequestedAddresses, chosen!.Name, request.SharingKey, request.Ports));
    }

    private AllocationResult AssignAutomatically(AllocationRequest request, ImmutableArray<AddressPool> candidates)
    {
        var pools = request.PoolName is null ? candidates.Where(p => p.AutoAssign) : candidates;
        var anyServes = false;
        foreach (var pool in pools)
        {
            if (!request.Families.All(pool.HasFamily))
            {
                continue;
            }

            anyServes = true;

            var addresses = new List<IPAddress>(request.Families.Length);
            foreach (var family in request.Families)
            {
                var address = (request.SharingKey is not null ? FindShareable(pool, family, request) : null) ?? FindFree(pool, family);
                if (address is not null)
                {
                    addresses.Add(address);
                }
                else
                {
                    break;
                }
            }

            if (addresses.Count == request.Families.Length)
            {
                return AllocationResult.Success(new Allocation(request.Owner, [.. addresses], pool.Name, request.SharingKey, request.Ports));
            }
        }

        var scope = request.PoolName is null ? "no address pool available to namespace \"" + request.Namespace + "\"" : $"address pool \"{request.PoolName}\"";
        return AllocationResult.Failure(
            anyServes ? AllocationError.PoolExhausted : AllocationError.NoPool,
            request.PoolName is null
                ? $"{scope} has a free {AllocationRequest.FamilyNames(request.Families)} address"
                : $"{scope} has no free {AllocationRequest.FamilyNames(request.Families)} address");
    }

    private IPAddress? FindShareable(AddressPool pool, AddressFamily family, AllocationRequest request) =>
        _byAddress.Keys
            .Where(a => a.AddressFamily == family && pool.CanAssign(a) && Conflict(a, request) is null)
            .Order(AddressComparer.Instance)
            .FirstOrDefault();

    private IPAddress? FindFree(AddressPool pool, AddressFamily family)
    {
        foreach (var range in pool.Ranges)
        {
            if (range.Family != family)
            {
                continue;
            }

            // Free addresses are found by walking from the start: at most (addresses in use + 1)
            // steps, however large the range (an IPv6 /64 included).
            for (var number = range.FirstNumber; ; number++)
            {
                if (pool.IsAssignable(range, number))
                {
                    var candidate = AddressMath.FromNumber(number, family);
                    if (!_byAddress.ContainsKey(candidate))
                    {
                        return candidate;
                    }
                }

                if (number == range.LastNumber)
                {
                    break;
                }
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="request"/>'s owner may not hold <paramref name="address"/>, or null if it may.</summary>
    private AllocationResult? Conflict(IPAddress address, AllocationRequest request)
    {
        if (!_byAddress.TryGetValue(address, out var holders))
        {
            return null;
        }

        foreach (var holder in holders)
        {
            if (holder.Owner == request.Owner)
            {
                continue;
            }

            if (request.SharingKey is null || holder.SharingKey != request.SharingKey)
            {
                return AllocationResult.Failure(AllocationError.AddressInUse, $"address {address} is already in use by {holder.Owner}" +
                    (holder.SharingKey is null || request.SharingKey is null ? string.Empty : $" with another sharing key (\"{holder.SharingKey}\")"));
            }

            var clash = holder.Ports.Intersect(request.Ports).ToArray();
            if (clash.Length > 0)
            {
                return AllocationResult.Failure(AllocationError.PortConflict, $"address {address} is shared with {holder.Owner}, which already uses port(s) {string.Join(", ", clash)}");
            }
        }

        return null;
    }

    private void Add(Allocation allocation)
    {
        _byOwner[allocation.Owner] = allocation;
        foreach (var address in allocation.Addresses)
        {
            if (!_byAddress.TryGetValue(address, out var holders))
            {
                _byAddress[address] = holders = [];
            }

            holders.Add(allocation);
        }
    }

    private void Remove(Allocation allocation)
    {
        _byOwner.Remove(allocation.Owner);
        foreach (var address in allocation.Addresses)
        {
            if (_byAddress.TryGetValue(address, out var holders))
            {
                holders.RemoveAll(h => h.Owner == allocation.Owner);
                if (holders.Count == 0)
                {
                    _byAddress.Remove(address);
                }
            }
        }
    }

    private void Replace(Allocation current, Allocation updated)
    {
        Remove(current);
        Add(updated);
    }
}
