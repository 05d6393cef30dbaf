namespace Ferry.Standalone.Tests;

public class ArchitectureTests
{
    /// <summary>The standalone balancer talks to the data plane only through Ferry.Contracts, and knows no Kubernetes.</summary>
    [Fact]
    public void StandaloneAssembly_References_OnlyContractsOfFerry()
    {
        var references = typeof(StandaloneBalancer).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Ferry.Contracts", references);
        Assert.DoesNotContain(references, name => name is "KubernetesClient" or "Ferry.DataPlane" or "Ferry.Controller" or "Ferry.ApiServer");
    }
}
