using System.Net;

namespace Ferry.Contracts.Tests;

/// <summary>Specs compare by value, lists included, so "did the model change?" is a plain <c>==</c>.</summary>
public class LoadBalancerSpecEqualityTests
{
    private static LoadBalancerSpec Spec() => new()
    {
        Key = new LoadBalancerKey("default", "web"),
        Addresses = [IPAddress.Parse("127.241.0.1")],
        Listeners =
        [
            new ListenerSpec
            {
                Protocol = TransportProtocol.Tcp,
                Port = 80,
                Backends = [new BackendSpec(IPAddress.Parse("10.0.0.1"), 8080), new BackendSpec(IPAddress.Parse("10.0.0.2"), 8080)],
                HealthCheck = new HealthCheckSpec { Type = HealthCheckType.Http, Path = "/healthz" },
            },
        ],
        Settings = new LoadBalancerSettings { SourceRanges = [IPNetwork.Parse("10.0.0.0/8")] },
    };

    [Fact]
    public void TwoSpecsBuiltAlike_AreEqual()
    {
        Assert.Equal(Spec(), Spec());
        Assert.True(Spec() == Spec());
        Assert.Equal(Spec().GetHashCode(), Spec().GetHashCode());
    }

    public static TheoryData<string, Func<LoadBalancerSpec, LoadBalancerSpec>> Changes => new()
    {
        { "address", s => s with { Addresses = [IPAddress.Parse("127.241.0.2")] } },
        { "backend weight", s => s with { Listeners = [s.Listeners[0] with { Backends = [new BackendSpec(IPAddress.Parse("10.0.0.1"), 8080, Weight: 3), s.Listeners[0].Backends[1]] }] } },
        { "backend order", s => s with { Listeners = [s.Listeners[0] with { Backends = [s.Listeners[0].Backends[1], s.Listeners[0].Backends[0]] }] } },
        { "health check path", s => s with { Listeners = [s.Listeners[0] with { HealthCheck = s.Listeners[0].HealthCheck! with { Path = "/ready" } }] } },
        { "source range", s => s with { Settings = s.Settings with { SourceRanges = [] } } },
        { "algorithm", s => s with { Settings = s.Settings with { Algorithm = BalancingAlgorithm.LeastConnections } } },
        { "drain timeout", s => s with { Settings = s.Settings with { DrainTimeout = TimeSpan.FromSeconds(5) } } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void AnyFieldChanged_IsNotEqual(string field, Func<LoadBalancerSpec, LoadBalancerSpec> change)
    {
        Assert.False(Spec() == change(Spec()), field);
    }

    [Fact]
    public void Key_PrintsNamespaceSlashName_OrTheNameAloneWhenStandalone()
    {
        Assert.Equal("default/web", new LoadBalancerKey("default", "web").ToString());
        Assert.Equal("web", LoadBalancerKey.Standalone("web").ToString());
        Assert.Equal(new LoadBalancerKey("", "web"), LoadBalancerKey.Standalone("web"));
    }
}
