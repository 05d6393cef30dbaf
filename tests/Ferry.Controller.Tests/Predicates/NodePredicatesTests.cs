using Ferry.Controller.Predicates;
using k8s.Models;

namespace Ferry.Controller.Tests.Predicates;

public class NodePredicatesTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("", false)]
    [InlineData("true", false)]
    [InlineData("yes", false)]
    [InlineData("false", true)]
    [InlineData("False", true)]
    [InlineData("0", true)]
    public void IsEligible_ExclusionLabel(string? value, bool expected)
    {
        var labels = value is null ? null : new Dictionary<string, string> { [FerryAnnotations.ExcludeFromExternalLoadBalancers] = value };
        Assert.Equal(expected, NodePredicates.IsEligible(Builders.Node("n", "192.0.2.1", labels: labels)));
    }

    [Fact]
    public void IsEligible_DeletingOrAutoscalerTaint_False_NotReadyStillTrue()
    {
        var node = Builders.Node("n", "192.0.2.1");
        node.Status.Conditions = [new V1NodeCondition { Type = "Ready", Status = "False" }];
        Assert.True(NodePredicates.IsEligible(node));

        node.Spec.Taints = [new V1Taint { Key = FerryAnnotations.ToBeDeletedTaint, Effect = "NoSchedule" }];
        Assert.False(NodePredicates.IsEligible(node));

        var deleting = Builders.Node("d", "192.0.2.2");
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;
        Assert.False(NodePredicates.IsEligible(deleting));
    }
}
