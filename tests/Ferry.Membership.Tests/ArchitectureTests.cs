namespace Ferry.Membership.Tests;

public class ArchitectureTests
{
    /// <summary>Membership knows no Kubernetes: the lead feeds it the peers it discovers, so it keeps working while the API is away.</summary>
    [Fact]
    public void Membership_ReferencesNoKubernetesOrAspNet()
    {
        var references = typeof(HeartbeatMembership).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        Assert.DoesNotContain("KubernetesClient", references);
        Assert.DoesNotContain(references, r => r!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
