using Ferry.Contracts;
using k8s.Models;

namespace Ferry.Controller.Tests;

/// <summary>How the controller derives a <see cref="ServiceKey"/> from Kubernetes objects (<see cref="ServiceKeys"/>).</summary>
public class ServiceKeysTests
{
    [Fact]
    public void Of_Service_DefaultsAnUnsetNamespace()
    {
        Assert.Equal(new ServiceKey("default", "web"), ServiceKeys.Of(new V1Service { Metadata = new V1ObjectMeta { Name = "web" } }));
        Assert.Equal(new ServiceKey("team-a", "web"), ServiceKeys.Of(new V1Service { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "team-a" } }));
    }

    [Fact]
    public void OwnerOf_EndpointSlice_IsTheLabelledServiceInTheSliceNamespace()
    {
        var slice = Builders.Slice(string.Empty, 8080, "TCP");
        Assert.Null(ServiceKeys.OwnerOf(slice));

        slice.Metadata.Labels = new Dictionary<string, string> { [ServiceKeys.ServiceNameLabel] = "web" };
        Assert.Equal(new ServiceKey("default", "web"), ServiceKeys.OwnerOf(slice));
    }
}
