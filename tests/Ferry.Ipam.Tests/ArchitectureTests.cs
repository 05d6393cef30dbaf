namespace Ferry.Ipam.Tests;

public class ArchitectureTests
{
    [Fact]
    public void Ipam_ReferencesNoKubernetesOrIo()
    {
        var references = typeof(IpAllocator).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        Assert.DoesNotContain("KubernetesClient", references);
        Assert.DoesNotContain(references, r => r!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    /// <summary>Ipam is pure: reading the pools file (YAML) lives in Ferry.Configuration.</summary>
    [Fact]
    public void Ipam_ReferencesNoYaml()
    {
        var references = typeof(IpAllocator).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        Assert.DoesNotContain("YamlDotNet", references);
    }
}
