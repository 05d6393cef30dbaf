using Ferry.Ipam;
using k8s.Models;

namespace Ferry.Controller.Reconciliation;

/// <summary>
/// The Service condition <c>ferry.dev/AddressAssigned</c> (docs/service-annotations.md, "The
/// AddressAssigned condition"): True with the pool once the allocator gave the Service its addresses,
/// False with the reason it waits, so <c>kubectl wait --for=condition=ferry.dev/AddressAssigned</c> works.
/// </summary>
public static class AddressAssignedCondition
{
    /// <summary>The condition type.</summary>
    public const string Type = "ferry.dev/AddressAssigned";

    /// <summary>The reason of the True condition.</summary>
    public const string Assigned = "Assigned";

    /// <summary>No pool may serve the Service (none allows its namespace, auto-assigns, holds its families, or the named one is missing).</summary>
    public const string NoPool = "NoPool";

    /// <summary>The pools that may serve it have no free address.</summary>
    public const string Exhausted = "Exhausted";

    /// <summary>A requested address is in no pool the Service may use, or another Service holds it.</summary>
    public const string RequestedAddressUnavailable = "RequestedAddressUnavailable";

    /// <summary>The shared address's ports collide with a Service already on it.</summary>
    public const string Conflict = "Conflict";

    /// <summary>The request itself is wrong (a requested address of another family, too many addresses, a bad annotation).</summary>
    public const string InvalidRequest = "InvalidRequest";

    /// <summary>The condition for an allocation outcome; the time is left for <see cref="WithTransitionTime"/>.</summary>
    public static V1Condition For(AllocationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Allocation is { } allocation)
        {
            return Build("True", Assigned, $"{string.Join(", ", allocation.Addresses)} from address pool \"{allocation.PoolName}\"");
        }

        var reason = result.Error switch
        {
            AllocationError.UnknownPool or AllocationError.NamespaceNotAllowed or AllocationError.NoPool => NoPool,
            AllocationError.PoolExhausted => Exhausted,
            AllocationError.AddressNotInPool or AllocationError.AddressInUse => RequestedAddressUnavailable,
            AllocationError.PortConflict => Conflict,
            _ => InvalidRequest,
        };
        return Build("False", reason, result.Message ?? reason);
    }

    /// <summary>The condition for a request that could not even be built (a malformed annotation or field).</summary>
    public static V1Condition Invalid(string message) => Build("False", InvalidRequest, message);

    /// <summary>The condition as it stands on <paramref name="service"/>, or null.</summary>
    public static V1Condition? Current(V1Service service) =>
        service.Status?.Conditions?.FirstOrDefault(c => c.Type == Type);

    /// <summary>Whether writing <paramref name="desired"/> would change what <paramref name="current"/> says.</summary>
    public static bool Differs(V1Condition? current, V1Condition desired) =>
        current is null || current.Status != desired.Status || current.Reason != desired.Reason || current.Message != desired.Message;

    /// <summary>
    /// <paramref name="desired"/> with <c>lastTransitionTime</c>: kept from <paramref name="current"/> when the status
    /// did not change (the API convention: it moves only on a transition), else <paramref name="now"/>.
    /// </summary>
    public static V1Condition WithTransitionTime(V1Condition? current, V1Condition desired, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(desired);
        desired.LastTransitionTime = current is not null && current.Status == desired.Status && current.LastTransitionTime is { } kept
            ? kept
            : new DateTime(now.UtcDateTime.Ticks - (now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        return desired;
    }

    private static V1Condition Build(string status, string reason, string message) =>
        new() { Type = Type, Status = status, Reason = reason, Message = message };
}
