using Ferry.Configuration.Pools;

namespace Ferry.Configuration.Tests;

public class ArchitectureTests
{
    /// <summary>Config files are read without Kubernetes or a data plane: the pools file yields Ipam's pools, the proxy file Contracts' specs.</summary>
    [Fact]
    public void Configuration_ReferencesNoKubernetesOrDataPlane()
    {
        var references = typeof(AddressPoolsFile).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("YamlDotNet", references);
        Assert.DoesNotContain(references, name => name is "KubernetesClient" or "Ferry.DataPlane" or "Ferry.Controller" or "Ferry.ApiServer" or "Ferry.Standalone");
    }
}
