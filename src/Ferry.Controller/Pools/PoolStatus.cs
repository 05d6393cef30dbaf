using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.Ipam;

namespace Ferry.Controller.Pools;

/// <summary>
/// The <c>status</c> of an <c>AddressPool</c> (deploy/crds/ferry.dev_addresspools.yaml): its capacity,
/// allocated and free counts and its <c>Ready</c> condition.
/// </summary>
/// <remarks>
/// <c>capacity</c> and <c>free</c> are decimal strings because an IPv6 pool holds more addresses than an
/// int64 counts; they are absent while the spec is invalid. <c>allocated</c> counts the distinct addresses
/// Services hold in the pool's ranges (under its name, or kept outside every pool).
/// </remarks>
public static class PoolStatus
{
    /// <summary>The condition type: True while the pool hands out addresses.</summary>
    public const string Ready = "Ready";

    /// <summary>How many Services an <see cref="PoolVerdict.InUse"/> message names before it only counts the rest.</summary>
    private const int NamedHolders = 10;

    /// <summary>
    /// The status for <paramref name="pool"/> given its verdict and the allocator's allocations.
    /// <c>lastTransitionTime</c> is kept from <paramref name="currentStatus"/> while the condition's status
    /// stays, else it is <paramref name="now"/>; conditions of other types are kept as they are.
    /// </summary>
    public static PoolStatusUpdate Compute(
        AddressPoolResource pool, PoolVerdict verdict, IReadOnlyList<Allocation> allocations, DateTimeOffset now, JsonObject? currentStatus)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(allocations);

        var allocated = PoolHolders.Count(pool, allocations);
        var status = new JsonObject();
        if (pool.Pool is { } valid)
        {
            var capacity = valid.Capacity;
            var free = capacity > (UInt128)allocated ? capacity - (UInt128)allocated : UInt128.Zero;
            status["capacity"] = capacity.ToString(CultureInfo.InvariantCulture);
            status["allocated"] = allocated;
            status["free"] = free.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            status["allocated"] = allocated;
        }

        status["observedGeneration"] = pool.Generation;
        var condition = Condition(pool, pool.IsDeleting ? ForDeleted(pool, allocations) : verdict, currentStatus, now);
        var conditions = new JsonArray();
        var placed = false;
        foreach (var existing in currentStatus?["conditions"] as JsonArray ?? [])
        {
            if (JsonFields.String(existing?["type"]) == Ready)
            {
                conditions.Add(condition);
                placed = true;
            }
            else if (existing is not null)
            {
                conditions.Add(existing.DeepClone());
            }
        }

        if (!placed)
        {
            conditions.Add(condition);
        }

        status["conditions"] = conditions;
        return new PoolStatusUpdate(status, !JsonNode.DeepEquals(status, currentStatus));
    }

    /// <summary>
    /// A deleted pool: <see cref="PoolVerdict.InUse"/> naming the Services that hold its addresses, else
    /// <see cref="PoolVerdict.Deleting"/> until the finalizer goes.
    /// </summary>
    private static PoolVerdict ForDeleted(AddressPoolResource pool, IReadOnlyList<Allocation> allocations)
    {
        var holders = PoolHolders.Owners(pool, allocations);
        if (holders.Count == 0)
        {
            return new PoolVerdict(false, PoolVerdict.Deleting, "deleted; no Service holds an address from it");
        }

        var named = string.Join(", ", holders.Take(NamedHolders));
        var rest = holders.Count > NamedHolders ? $" and {holders.Count - NamedHolders} more" : string.Empty;
        var holds = holders.Count == 1 ? "1 Service still holds addresses" : $"{holders.Count} Services still hold addresses";
        return new PoolVerdict(false, PoolVerdict.InUse, $"deleted, but {holds} from it: {named}{rest}");
    }

    private static JsonObject Condition(AddressPoolResource pool, PoolVerdict verdict, JsonObject? currentStatus, DateTimeOffset now)
    {
        var status = verdict.IsReady ? "True" : "False";
        var current = (currentStatus?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => JsonFields.String(c["type"]) == Ready);
        var transition = current is not null && JsonFields.String(current["status"]) == status && current["lastTransitionTime"] is { } kept
            ? kept.DeepClone()
            : JsonValue.Create(JsonFields.Timestamp(now));
        return new JsonObject
        {
            ["type"] = Ready,
            ["status"] = status,
            ["reason"] = verdict.Reason,
            ["message"] = verdict.Message,
            ["lastTransitionTime"] = transition,
            ["observedGeneration"] = pool.Generation,
        };
    }
}
