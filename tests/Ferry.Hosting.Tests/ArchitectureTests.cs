using Ferry.ApiServer;
using Ferry.Controller;
using Ferry.DataPlane;

namespace Ferry.Hosting.Tests;

/// <summary>The graph between projects: subsystems meet only in Ferry.Hosting, never directly.</summary>
public class ArchitectureTests
{
    /// <summary>The controller programs load balancers only through Ferry.Contracts' <c>ILoadBalancerProvider</c>.</summary>
    [Fact]
    public void Controller_References_NoDataPlane()
    {
        var references = typeof(ServiceController).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Ferry.Contracts", references);
        Assert.DoesNotContain(references, name => name is "Ferry.DataPlane" or "Ferry.Hosting" or "Ferry.Standalone");
    }

    /// <summary>The API server is a Kubernetes API, and knows nothing of the controller that uses it.</summary>
    [Fact]
    public void ApiServer_References_NoController()
    {
        var references = typeof(ApiServerHost).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(references, name => name is "Ferry.Controller" or "Ferry.DataPlane" or "Ferry.Hosting");
    }

    /// <summary>The data plane knows neither the controller nor the API server that may drive it.</summary>
    [Fact]
    public void DataPlane_References_NoControllerOrApiServer()
    {
        var references = typeof(DataPlaneProvider).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(references, name => name is "Ferry.Controller" or "Ferry.ApiServer" or "Ferry.Hosting");
    }
}
