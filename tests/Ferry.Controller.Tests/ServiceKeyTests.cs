using Ferry.Contracts;
using k8s.Models;

namespace Ferry.Controller.Tests;

/// <summary><see cref="ServiceKey"/> (Ferry.Contracts) and how the controller derives it (<see cref="ServiceKeys"/>).</summary>
public class ServiceKeyTests
{
    [Fact]
    public void ToString_IsNamespaceSlashName()
    {
        Assert.Equal("team-a/web", new ServiceKey("team-a", "web").ToString());
    }

    [Fact]
    public void Parse_RoundTripsToString()
    {
        var key = new ServiceKey("team-a", "web");
        Assert.Equal(key, ServiceKey.Parse(key.ToString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("web")]
    [InlineData("/web")]
    [InlineData("default/")]
    [InlineData("a/b/c")]
    public void TryParse_NotNamespaceSlashName_IsFalse(string? text)
    {
        Assert.False(ServiceKey.TryParse(text, out var key));
        Assert.Equal(default, key);
        if (text is not null)
        {
            Assert.Throws<FormatException>(() => ServiceKey.Parse(text));
        }
    }

    [Fact]
    public void Equality_IsByValue_SoItKeysDictionariesAndQueues()
    {
        var keys = new HashSet<ServiceKey> { new("default", "web"), ServiceKey.Parse("default/web") };
        Assert.Single(keys);
        Assert.NotEqual(new ServiceKey("a", "web"), new ServiceKey("b", "web"));
    }

    [Fact]
    public void LoadBalancer_HasTheSameNamespaceAndName()
    {
        Assert.Equal(new LoadBalancerKey("default", "web"), new ServiceKey("default", "web").LoadBalancer);
    }

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
