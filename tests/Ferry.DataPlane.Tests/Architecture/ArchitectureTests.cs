using Ferry.DataPlane.Forwarding;

namespace Ferry.DataPlane.Tests.Architecture;

public class ArchitectureTests
{
    [Fact]
    public void DataPlane_References_NoKubernetesOrAspNet()
    {
        var references = typeof(TcpConnection).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "");

        Assert.DoesNotContain(references, name => name.StartsWith("KubernetesClient", StringComparison.Ordinal) || name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
