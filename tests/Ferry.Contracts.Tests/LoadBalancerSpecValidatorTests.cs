using System.Net;

namespace Ferry.Contracts.Tests;

public class LoadBalancerSpecValidatorTests
{
    private static readonly IPAddress _vip = IPAddress.Parse("127.241.0.1");

    private static LoadBalancerSpec Valid => new()
    {
        Key = new LoadBalancerKey("default", "web"),
        Addresses = [_vip],
        Listeners =
        [
            new ListenerSpec { Protocol = TransportProtocol.Tcp, Port = 80, Backends = [new BackendSpec(IPAddress.Loopback, 8080)] },
            new ListenerSpec { Protocol = TransportProtocol.Udp, Port = 80, Backends = [new BackendSpec(IPAddress.Loopback, 8080)] },
        ],
    };

    public static TheoryData<string, Func<LoadBalancerSpec, LoadBalancerSpec>, string> InvalidCases => new()
    {
        { "empty name", s => s with { Key = new LoadBalancerKey("default", "") }, "key.name" },
        { "no address", s => s with { Addresses = [] }, "addresses" },
        { "duplicate address", s => s with { Addresses = [_vip, _vip] }, "addresses[1]" },
        { "port 0", s => WithListener(s, 1, l => l with { Port = 0 }), "listeners[1].port" },
        { "port 65536", s => WithListener(s, 0, l => l with { Port = 65536 }), "listeners[0].port" },
        { "duplicate protocol and port", s => s with { Listeners = [s.Listeners[0], s.Listeners[0]] }, "listeners[1]" },
        { "backend port", s => WithListener(s, 1, l => l with { Backends = [new BackendSpec(IPAddress.Loopback, 1), new BackendSpec(IPAddress.Loopback, 70000)] }), "listeners[1].backends[1].port" },
        { "weight 0", s => WithListener(s, 0, l => l with { Backends = [new BackendSpec(IPAddress.Loopback, 1, Weight: 0)] }), "listeners[0].backends[0].weight" },
        { "weight 1001", s => WithListener(s, 0, l => l with { Backends = [new BackendSpec(IPAddress.Loopback, 1, Weight: 1001)] }), "listeners[0].backends[0].weight" },
        { "duplicate backend", s => WithListener(s, 0, l => l with { Backends = [new BackendSpec(IPAddress.Loopback, 1), new BackendSpec(IPAddress.Loopback, 1)] }), "listeners[0].backends[1]" },
        { "interval 0", s => WithCheck(s, c => c with { Interval = TimeSpan.Zero }), "listeners[0].healthCheck.interval" },
        { "timeout negative", s => WithCheck(s, c => c with { Timeout = TimeSpan.FromSeconds(-1) }), "listeners[0].healthCheck.timeout" },
        { "healthy threshold 0", s => WithCheck(s, c => c with { HealthyThreshold = 0 }), "listeners[0].healthCheck.healthyThreshold" },
        { "unhealthy threshold 0", s => WithCheck(s, c => c with { UnhealthyThreshold = 0 }), "listeners[0].healthCheck.unhealthyThreshold" },
        { "http path", s => WithCheck(s, c => c with { Type = HealthCheckType.Http, Path = "healthz" }), "listeners[0].healthCheck.path" },
        { "check port", s => WithCheck(s, c => c with { Port = 0 }), "listeners[0].healthCheck.port" },
        { "tcp idle 0", s => s with { Settings = s.Settings with { TcpIdleTimeout = TimeSpan.Zero } }, "tcpIdleTimeout" },
        { "udp idle 0", s => s with { Settings = s.Settings with { UdpIdleTimeout = TimeSpan.Zero } }, "udpIdleTimeout" },
        { "drain negative", s => s with { Settings = s.Settings with { DrainTimeout = TimeSpan.FromSeconds(-1) } }, "drainTimeout" },
        { "max flows 0", s => s with { Settings = s.Settings with { MaxUdpFlows = 0 } }, "maxUdpFlows" },
        { "affinity 0", s => s with { Settings = s.Settings with { SessionAffinity = new SessionAffinitySpec(TimeSpan.Zero) } }, "sessionAffinity.timeout" },
        { "affinity too long", s => s with { Settings = s.Settings with { SessionAffinity = new SessionAffinitySpec(TimeSpan.FromSeconds(86401)) } }, "sessionAffinity.timeout" },
        { "unknown algorithm", s => s with { Settings = s.Settings with { Algorithm = (BalancingAlgorithm)42 } }, "algorithm" },
    };

    [Fact]
    public void Validate_ValidSpec_NoErrors()
    {
        var spec = WithCheck(Valid, c => c with { Type = HealthCheckType.Http, Path = "/healthz", Port = 10256 }) with
        {
            Settings = new LoadBalancerSettings
            {
                SessionAffinity = new SessionAffinitySpec(SessionAffinitySpec.DefaultTimeout),
                SourceRanges = [IPNetwork.Parse("10.0.0.0/8")],
            },
        };

        Assert.Empty(LoadBalancerSpecValidator.Validate(spec));
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Validate_InvalidField_NamesTheField(string description, Func<LoadBalancerSpec, LoadBalancerSpec> mutate, string field)
    {
        var errors = LoadBalancerSpecValidator.Validate(mutate(Valid));

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message), description);
    }

    [Fact]
    public void ThrowIfInvalid_SeveralProblems_ReportsAll()
    {
        var spec = Valid with { Addresses = [], Settings = Valid.Settings with { MaxUdpFlows = -1 } };

        var e = Assert.Throws<LoadBalancerValidationException>(() => LoadBalancerSpecValidator.ThrowIfInvalid(spec));

        Assert.Equal(["addresses", "maxUdpFlows"], e.Errors.Select(x => x.Field));
        Assert.Contains("maxUdpFlows: must be greater than 0, got -1", e.Message);
    }

    private static LoadBalancerSpec WithListener(LoadBalancerSpec spec, int index, Func<ListenerSpec, ListenerSpec> mutate) =>
        spec with { Listeners = spec.Listeners.Select((l, i) => i == index ? mutate(l) : l).ToEquatableArray() };

    private static LoadBalancerSpec WithCheck(LoadBalancerSpec spec, Func<HealthCheckSpec, HealthCheckSpec> mutate) =>
        WithListener(spec, 0, l => l with { HealthCheck = mutate(new HealthCheckSpec()) });
}
