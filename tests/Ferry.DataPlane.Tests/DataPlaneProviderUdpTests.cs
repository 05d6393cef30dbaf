using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Contracts;
using Ferry.DataPlane.Tests.TestSupport;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests;

public class DataPlaneProviderUdpTests
{
    [Fact]
    public async Task EnsureAsync_UdpClients_OneFlowEachRepliesFromLoadBalancerAddress()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backendA = new UdpTestBackend(address, "a");
        await using var backendB = new UdpTestBackend(address, "b");
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureUdpAsync(address, [backendA.EndPoint, backendB.EndPoint], timeout.Token);
        var vip = new IPEndPoint(address, port);
        using var client1 = Loopback.UdpClientSocket();
        using var client2 = Loopback.UdpClientSocket();

        var first = await Loopback.ExchangeAsync(client1, vip, "one", timeout.Token);
        var second = await Loopback.ExchangeAsync(client1, vip, "two", timeout.Token);
        var other = await Loopback.ExchangeAsync(client2, vip, "three", timeout.Token);

        // The same client keeps its backend; replies come from the VIP, not the backend.
        Assert.Equal(first.Reply[..2], second.Reply[..2]);
        Assert.EndsWith(":one", first.Reply);
        Assert.EndsWith(":two", second.Reply);
        Assert.EndsWith(":three", other.Reply);
        Assert.Equal(vip, first.From);
        Assert.Equal(vip, other.From);
        var stats = harness.Listener(TransportProtocol.Udp, port);
        Assert.Equal(2, stats.ActiveConnections);
        Assert.Equal(2, stats.TotalConnections);
        Assert.Equal("onetwothree".Length, stats.BytesToBackend);
        Assert.Equal(3, backendA.Received.Count + backendB.Received.Count);
    }

    [Fact]
    public async Task Sweep_UdpFlowIdleLongerThanTimeout_Expires()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new UdpTestBackend(address, "a");
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureUdpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { UdpIdleTimeout = TimeSpan.FromSeconds(30) } });
        var vip = new IPEndPoint(address, port);
        using var client = Loopback.UdpClientSocket();
        await Loopback.ExchangeAsync(client, vip, "x", timeout.Token);

        harness.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, harness.Listener(TransportProtocol.Udp, port).ActiveConnections);
        harness.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(0, harness.Listener(TransportProtocol.Udp, port).ActiveConnections);

        // The client's next datagram opens a new flow from a new backend-facing port.
        await Loopback.ExchangeAsync(client, vip, "y", timeout.Token);
        Assert.Equal(2, harness.Listener(TransportProtocol.Udp, port).TotalConnections);
        Assert.NotEqual(backend.Received[0].From.Port, backend.Received[1].From.Port);
    }

    [Fact]
    public async Task EnsureAsync_UdpFlowTableFull_NewClientsDroppedAndCounted()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new UdpTestBackend(address, "a");
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureUdpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { MaxUdpFlows = 1 } });
        var vip = new IPEndPoint(address, port);
        using var client1 = Loopback.UdpClientSocket();
        using var client2 = Loopback.UdpClientSocket();
        await Loopback.ExchangeAsync(client1, vip, "x", timeout.Token);

        await client2.SendToAsync("dropped"u8.ToArray(), SocketFlags.None, vip, timeout.Token);

        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Udp, port).UdpFlowsDropped == 1));
        await Loopback.ExchangeAsync(client1, vip, "still served", timeout.Token);
        Assert.Equal(1, harness.Listener(TransportProtocol.Udp, port).ActiveConnections);
    }

    [Fact]
    public async Task EnsureAsync_UdpSourceRanges_OutsideDroppedInsideServed()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new UdpTestBackend(address, "a");
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureUdpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { SourceRanges = [IPNetwork.Parse("127.0.0.2/32")] } });
        var vip = new IPEndPoint(address, port);
        using var outside = Loopback.UdpClientSocket(IPAddress.Parse("127.0.0.3"));
        using var inside = Loopback.UdpClientSocket(IPAddress.Parse("127.0.0.2"));

        await outside.SendToAsync("no"u8.ToArray(), SocketFlags.None, vip, timeout.Token);
        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Udp, port).RefusedBySourceRange == 1));
        var reply = await Loopback.ExchangeAsync(inside, vip, "yes", timeout.Token);

        Assert.Equal("a:yes", reply.Reply);
        Assert.Single(backend.Received);
    }

    [Fact]
    public async Task EnsureAsync_UdpProxyProtocolV2_HeaderPrependedToEachDatagram()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new UdpTestBackend(address, "a");
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureUdpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { ProxyProtocol = ProxyProtocolVersion.V2 } });
        using var client = Loopback.UdpClientSocket(IPAddress.Parse("127.0.0.2"));
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;

        await Loopback.ExchangeAsync(client, new IPEndPoint(address, port), "d1", timeout.Token);
        await Loopback.ExchangeAsync(client, new IPEndPoint(address, port), "d2", timeout.Token);

        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x12, 0x00, 0x0C,
            127, 0, 0, 2, .. address.GetAddressBytes(), (byte)(clientPort >> 8), (byte)clientPort, (byte)(port >> 8), (byte)port];
        Assert.Equal([.. header, .. "d1"u8.ToArray()], backend.Received[0].Data);
        Assert.Equal([.. header, .. "d2"u8.ToArray()], backend.Received[1].Data);
    }

    [Fact]
    public async Task EnsureAsync_TcpAndUdpOnSamePort_BothServe()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var tcpBackend = new TcpTestBackend(address, greeting: "tcp\n");
        await using var udpBackend = new UdpTestBackend(address, "udp");
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        var status = await harness.Provider.EnsureAsync(Spec(address, Tcp(port, tcpBackend.EndPoint), Udp(port, udpBackend.EndPoint)), timeout.Token);

        using var tcp = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        using var udp = Loopback.UdpClientSocket();
        var udpReply = await Loopback.ExchangeAsync(udp, new IPEndPoint(address, port), "hello", timeout.Token);

        Assert.True(status.IsFullyServing);
        Assert.Equal(2, status.Listeners.Length);
        Assert.Equal("tcp\n", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(tcp, 4, timeout.Token)));
        Assert.Equal("udp:hello", udpReply.Reply);
    }

    [Fact]
    public async Task EnsureAsync_UdpBackendUnreachable_FlowEndsAndFailureCounted()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        await harness.Provider.EnsureAsync(Spec(address, Udp(port, new IPEndPoint(address, Loopback.FreePort(address)))), timeout.Token);
        using var client = Loopback.UdpClientSocket();

        await client.SendToAsync("x"u8.ToArray(), SocketFlags.None, new IPEndPoint(address, port), timeout.Token);

        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Udp, port) is { ConnectFailures: 1, ActiveConnections: 0 }));
    }
}
