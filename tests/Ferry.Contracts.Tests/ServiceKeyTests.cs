namespace Ferry.Contracts.Tests;

/// <summary><see cref="ServiceKey"/>: one Service identity for the work queue, the allocator and the cluster view.</summary>
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
}
