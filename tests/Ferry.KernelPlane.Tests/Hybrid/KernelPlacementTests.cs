using System.Net;
using Ferry.Contracts;
using Ferry.KernelPlane.Hybrid;

namespace Ferry.KernelPlane.Tests.Hybrid;

/// <summary>Which plane serves a listener: the kernel unless it needs what only userspace does.</summary>
public class KernelPlacementTests
{
    private static readonly BackendSpec _v4 = new(IPAddress.Parse("198.51.100.2"), 8080);
    private static readonly BackendSpec _v6 = new(IPAddress.Parse("2001:db8:1::2"), 8080);

    private static LoadBalancerSpec Spec(LoadBalancerSettings settings, string[] addresses, params ListenerSpec[] listeners) => new()
    {
        Key = new LoadBalancerKey("default", "web"),
        Addresses = [.. addresses.Select(IPAddress.Parse)],
        Listeners = [.. listeners],
        Settings = settings,
    };

    private static ListenerSpec Listener(TransportProtocol protocol, int port, params BackendSpec[] backends) =>
        new() { Protocol = protocol, Port = port, Backends = [.. backends] };

    [Theory]
    [InlineData(BalancingAlgorithm.RoundRobin, null)]
    [InlineData(BalancingAlgorithm.Random, null)]
    [InlineData(BalancingAlgorithm.ClientIpHash, null)]
    [InlineData(BalancingAlgorithm.LeastConnections, "least connections")]
    [InlineData(BalancingAlgorithm.PowerOfTwo, "power of two choices")]
    public void Algorithms_TheKernelCannotChooseBy_StayInUserspace(BalancingAlgorithm algorithm, string? reason)
    {
        var spec = Spec(new LoadBalancerSettings { Algorithm = algorithm }, ["203.0.113.10"], Listener(TransportProtocol.Tcp, 80, _v4));

        Assert.Equal(reason, KernelPlacement.UserspaceReason(spec, spec.Listeners[0]));
    }

    [Fact]
    public void Affinity_IsAHashTheKernelDoes_WhateverTheAlgorithm()
    {
        var spec = Spec(new LoadBalancerSettings { Algorithm = BalancingAlgorithm.LeastConnections, SessionAffinity = new SessionAffinitySpec(TimeSpan.FromHours(3)) }, ["203.0.113.10"], Listener(TransportProtocol.Tcp, 80, _v4));

        Assert.Null(KernelPlacement.UserspaceReason(spec, spec.Listeners[0]));
    }

    [Fact]
    public void ProxyProtocol_KeepsEveryListenerInUserspace()
    {
        var spec = Spec(new LoadBalancerSettings { ProxyProtocol = ProxyProtocolVersion.V2 }, ["203.0.113.10"], Listener(TransportProtocol.Tcp, 80, _v4), Listener(TransportProtocol.Udp, 53, _v4));

        var (kernel, userspace, _) = KernelPlacement.Split(spec);

        Assert.Empty(kernel.Listeners);
        Assert.Equal(spec.Listeners, userspace.Listeners);
        Assert.Equal("PROXY protocol", KernelPlacement.UserspaceReason(spec, spec.Listeners[1]));
    }

    [Fact]
    public void AnAddressFamilyNoBackendHas_NeedsAProxy_PerListener()
    {
        var spec = Spec(
            new LoadBalancerSettings(),
            ["203.0.113.10", "2001:db8::10"],
            Listener(TransportProtocol.Tcp, 80, _v4, _v6),
            Listener(TransportProtocol.Tcp, 443, _v4),
            Listener(TransportProtocol.Udp, 53));

        var (kernel, userspace, _) = KernelPlacement.Split(spec);

        // Both families have backends on 80; 443 has none for the IPv6 address; 53 has no backend at all (nothing to bridge).
        Assert.Equal([80, 53], kernel.Listeners.Select(l => l.Port));
        Assert.Equal([443], userspace.Listeners.Select(l => l.Port));
        Assert.Equal("IPv6 address, IPv4 backends", KernelPlacement.UserspaceReason(spec, spec.Listeners[1]));
        var v4Only = Spec(new LoadBalancerSettings(), ["203.0.113.10"], Listener(TransportProtocol.Tcp, 80, _v6));
        Assert.Equal("IPv4 address, IPv6 backends", KernelPlacement.UserspaceReason(v4Only, v4Only.Listeners[0]));
    }
}
