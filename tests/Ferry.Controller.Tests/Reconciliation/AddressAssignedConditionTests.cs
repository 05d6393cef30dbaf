using System.Collections.Immutable;
using System.Net;
using Ferry.Contracts;
using Ferry.Controller.Reconciliation;
using Ferry.Ipam;
using k8s.Models;

namespace Ferry.Controller.Tests.Reconciliation;

public class AddressAssignedConditionTests
{
    [Theory]
    [InlineData(AllocationError.UnknownPool, "NoPool")]
    [InlineData(AllocationError.NamespaceNotAllowed, "NoPool")]
    [InlineData(AllocationError.NoPool, "NoPool")]
    [InlineData(AllocationError.PoolExhausted, "Exhausted")]
    [InlineData(AllocationError.AddressNotInPool, "RequestedAddressUnavailable")]
    [InlineData(AllocationError.AddressInUse, "RequestedAddressUnavailable")]
    [InlineData(AllocationError.PortConflict, "Conflict")]
    [InlineData(AllocationError.InvalidRequest, "InvalidRequest")]
    public void Failure_IsFalseWithTheReasonAndTheAllocatorsMessage(AllocationError error, string reason)
    {
        var condition = AddressAssignedCondition.For(AllocationResult.Failure(error, "why"));

        Assert.Equal(("ferry.dev/AddressAssigned", "False", reason, "why"), (condition.Type, condition.Status, condition.Reason, condition.Message));
    }

    [Fact]
    public void Success_IsTrueNamingAddressesAndPool()
    {
        var allocation = new Allocation(new ServiceKey("default", "web"), [IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1")], "public", null, ImmutableArray<ServicePort>.Empty);

        var condition = AddressAssignedCondition.For(AllocationResult.Success(allocation));

        Assert.Equal(("True", "Assigned", "192.0.2.1, 2001:db8::1 from address pool \"public\""), (condition.Status, condition.Reason, condition.Message));
    }

    [Fact]
    public void TransitionTime_MovesOnlyWhenTheStatusChanges()
    {
        var then = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
        var now = new DateTimeOffset(2026, 12, 5, 12, 30, 15, 250, TimeSpan.Zero);
        var current = new V1Condition { Type = AddressAssignedCondition.Type, Status = "False", Reason = "Exhausted", Message = "a", LastTransitionTime = then };

        var stillWaiting = AddressAssignedCondition.WithTransitionTime(current, AddressAssignedCondition.Invalid("b"), now);
        var assigned = AddressAssignedCondition.WithTransitionTime(current, new V1Condition { Type = AddressAssignedCondition.Type, Status = "True", Reason = "Assigned", Message = "c" }, now);

        Assert.Equal(then, stillWaiting.LastTransitionTime);
        Assert.Equal(new DateTime(2026, 12, 5, 12, 30, 15, DateTimeKind.Utc), assigned.LastTransitionTime);
    }

    [Fact]
    public void Differs_IgnoresTheTimeOnly()
    {
        var current = new V1Condition { Type = AddressAssignedCondition.Type, Status = "False", Reason = "Exhausted", Message = "a", LastTransitionTime = DateTime.UtcNow };

        Assert.False(AddressAssignedCondition.Differs(current, new V1Condition { Type = current.Type, Status = "False", Reason = "Exhausted", Message = "a" }));
        Assert.True(AddressAssignedCondition.Differs(current, new V1Condition { Type = current.Type, Status = "False", Reason = "Exhausted", Message = "b" }));
        Assert.True(AddressAssignedCondition.Differs(null, current));
    }
}
