using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Ferry.DataPlane.Tests.TestSupport;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests;

public class DataPlaneProviderChangeTests
{
    [Fact]
    public async Task EnsureAsync_BackendRemoved_ExistingConnectionDrainsNewOnesGoElsewhere()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var a = new TcpTestBackend(address, greeting: "a");
        await using var b = new TcpTestBackend(address, greeting: "b");
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        var vip = new IPEndPoint(address, port);
        var spec = Spec(address, Tcp(port, a.EndPoint)) with { Settings = new LoadBalancerSettings { DrainTimeout = TimeSpan.FromSeconds(30) } };
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        using var old = await Loopback.ConnectAsync(vip, timeout.Token);
        Assert.Equal("a", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(old, 1, timeout.Token)));

        await harness.Provider.EnsureAsync(spec with { Listeners = [Tcp(port, b.EndPoint)] }, timeout.Token);

        for (var i = 0; i < 3; i++)
        {
            using var fresh = await Loopback.ConnectAsync(vip, timeout.Token);
            Assert.Equal("b", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(fresh, 1, timeout.Token)));
        }

        harness.Advance(TimeSpan.FromSeconds(20));
        await old.SendAsync("still"u8.ToArray(), SocketFlags.None, timeout.Token);
        Assert.Equal("still", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(old, 5, timeout.Token)));
        var draining = harness.Listener(TransportProtocol.Tcp, port).Backends.Single(x => x.Spec.Port == a.EndPoint.Port);
        Assert.True(draining.IsDraining);
        Assert.Equal(1, draining.ActiveConnections);

        harness.Advance(TimeSpan.FromSeconds(15));

        Assert.True(await Loopback.IsClosedAsync(old, timeout.Token));
        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).ActiveConnections == 0));
        harness.Advance(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(harness.Listener(TransportProtocol.Tcp, port).Backends, x => x.Spec.Port == a.EndPoint.Port);
    }

    [Fact]
    public async Task EnsureAsync_UdpBackendRemoved_FlowDrainsNewFlowsGoElsewhere()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var a = new UdpTestBackend(address, "a");
        await using var b = new UdpTestBackend(address, "b");
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        var vip = new IPEndPoint(address, port);
        var spec = Spec(address, Udp(port, a.EndPoint)) with { Settings = new LoadBalancerSettings { DrainTimeout = TimeSpan.FromSeconds(30) } };
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        using var old = Loopback.UdpClientSocket();
        Assert.Equal("a:1", (await Loopback.ExchangeAsync(old, vip, "1", timeout.Token)).Reply);

        await harness.Provider.EnsureAsync(spec with { Listeners = [Udp(port, b.EndPoint)] }, timeout.Token);

        using var fresh = Loopback.UdpClientSocket();
        Assert.Equal("b:2", (await Loopback.ExchangeAsync(fresh, vip, "2", timeout.Token)).Reply);
        harness.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("a:3", (await Loopback.ExchangeAsync(old, vip, "3", timeout.Token)).Reply);
        harness.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("b:4", (await Loopback.ExchangeAsync(old, vip, "4", timeout.Token)).Reply);
    }

    [Fact]
    public async Task EnsureAsync_SettingsChanged_PolicyReplacedOnlyWhenAlgorithmOrAffinityChanges()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        var policies = new CountingPolicyFactory();
        await using var harness = new DataPlaneHarness(policies: policies);
        var backend = new IPEndPoint(address, 9);
        var spec = Spec(address, Tcp(Loopback.FreePort(address), backend), Udp(Loopback.FreePort(address), backend));
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        Assert.Equal(2, policies.Created);

        spec = spec with { Settings = spec.Settings with { SourceRanges = [IPNetwork.Parse("10.0.0.0/8")], ProxyProtocol = ProxyProtocolVersion.V2, DrainTimeout = TimeSpan.FromSeconds(5) } };
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        await harness.Provider.UpdateBackendsAsync(spec with { Listeners = [Tcp(spec.Listeners[0].Port, new IPEndPoint(address, 10))] }, timeout.Token);
        Assert.Equal(2, policies.Created);

        await harness.Provider.EnsureAsync(spec with { Settings = spec.Settings with { SessionAffinity = new SessionAffinitySpec(TimeSpan.FromMinutes(5)) } }, timeout.Token);
        Assert.Equal(4, policies.Created);
    }

    [Fact]
    public async Task EnsureAsync_UnrelatedChanges_KeepExistingConnections()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var a = new TcpTestBackend(address);
        await using var b = new TcpTestBackend(address);
        await using var c = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness();
        var port1 = Loopback.FreePort(address);
        var port2 = Loopback.FreePort(address);
        var port3 = Loopback.FreePort(address);
        var spec = Spec(address, Tcp(port1, a.EndPoint), Tcp(port2, b.EndPoint));
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        using var kept = await Loopback.ConnectAsync(new IPEndPoint(address, port1), timeout.Token);
        await EchoAsync(kept, "before", timeout.Token);

        // Change listener 2's backends, add listener 3, and change load-balancer-wide settings.
        var changed = spec with
        {
            Listeners = [Tcp(port1, a.EndPoint), Tcp(port2, c.EndPoint), Tcp(port3, c.EndPoint)],
            Settings = spec.Settings with
            {
                Algorithm = BalancingAlgorithm.LeastConnections,
                SourceRanges = [IPNetwork.Parse("127.0.0.0/8")],
                ProxyProtocol = ProxyProtocolVersion.None,
                TcpIdleTimeout = TimeSpan.FromSeconds(600),
            },
        };
        var status = await harness.Provider.EnsureAsync(changed, timeout.Token);

        Assert.True(status.IsFullyServing);
        Assert.Equal(3, status.Listeners.Length);
        await EchoAsync(kept, "after", timeout.Token);
        var listener1 = harness.Listener(TransportProtocol.Tcp, port1);
        Assert.Equal(1, listener1.ActiveConnections);
        Assert.Equal(1, listener1.Accepted);
        using var third = await Loopback.ConnectAsync(new IPEndPoint(address, port3), timeout.Token);
        await EchoAsync(third, "new", timeout.Token);
        Assert.Equal(1, c.Accepted);
    }

    [Fact]
    public async Task EnsureAsync_ListenerRemoved_StopsAcceptingAndDrains()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var a = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness();
        var port1 = Loopback.FreePort(address);
        var port2 = Loopback.FreePort(address);
        var spec = Spec(address, Tcp(port1, a.EndPoint), Tcp(port2, a.EndPoint)) with { Settings = new LoadBalancerSettings { DrainTimeout = TimeSpan.FromSeconds(10) } };
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        using var draining = await Loopback.ConnectAsync(new IPEndPoint(address, port2), timeout.Token);
        await EchoAsync(draining, "x", timeout.Token);

        var status = await harness.Provider.EnsureAsync(spec with { Listeners = [Tcp(port1, a.EndPoint)] }, timeout.Token);

        Assert.Single(status.Listeners);
        await Assert.ThrowsAsync<SocketException>(async () => await Loopback.ConnectAsync(new IPEndPoint(address, port2), timeout.Token));
        await EchoAsync(draining, "still", timeout.Token);
        harness.Advance(TimeSpan.FromSeconds(11));
        Assert.True(await Loopback.IsClosedAsync(draining, timeout.Token));
    }

    [Fact]
    public async Task EnsureAsync_PortAlreadyInUse_ThatListenerFailsOthersServe()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address, greeting: "ok");
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(address, 0));
        squatter.Listen();
        var busyPort = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var freePort = Loopback.FreePort(address);
        await using var harness = new DataPlaneHarness();

        var status = await harness.Provider.EnsureAsync(Spec(address, Tcp(busyPort, backend.EndPoint), Tcp(freePort, backend.EndPoint)), timeout.Token);

        Assert.False(status.IsFullyServing);
        var busy = status.Listeners.Single(l => l.Port == busyPort);
        Assert.False(busy.IsServing);
        Assert.Contains("AddressAlreadyInUse", busy.Error);
        Assert.True(status.Listeners.Single(l => l.Port == freePort).IsServing);
        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, freePort), timeout.Token);
        Assert.Equal("ok", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 2, timeout.Token)));

        // Once the port is free, ensuring again binds it.
        squatter.Close();
        var retried = await harness.Provider.EnsureAsync(Spec(address, Tcp(busyPort, backend.EndPoint), Tcp(freePort, backend.EndPoint)), timeout.Token);
        Assert.True(retried.IsFullyServing);
    }

    [Fact]
    public async Task EnsureAsync_PortAlreadyInUse_TheBindErrorIsNeverFollowedByASuccessLine()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(address, 0));
        squatter.Listen();
        var busyPort = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        using var logs = new FakeLoggerProvider();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs));
        await using var harness = new DataPlaneHarness(loggers: loggers);

        await harness.Provider.EnsureAsync(Spec(address, Tcp(busyPort, new IPEndPoint(address, 9))), timeout.Token);

        var lines = logs.Collector.GetSnapshot();
        var bindFailed = lines.ToList().FindIndex(l => l.Id.Id == 3001);
        Assert.True(bindFailed >= 0, "no bind error was logged");
        var after = lines.Skip(bindFailed + 1).ToList();
        Assert.DoesNotContain(after, l => l.Id.Id == 3900 || l.Id.Id == 3000);
        var summary = Assert.Single(after, l => l.Id.Id == 3903);
        Assert.Equal(LogLevel.Warning, summary.Level);
        Assert.Contains($"not listening on {address}:{busyPort}/TCP", summary.Message, StringComparison.Ordinal);
        Assert.Contains("AddressAlreadyInUse", summary.Message, StringComparison.Ordinal);

        // Once the port is free, ensuring again binds it and says so.
        squatter.Close();
        await harness.Provider.EnsureAsync(Spec(address, Tcp(busyPort, new IPEndPoint(address, 9))), timeout.Token);
        Assert.Equal(3900, logs.Collector.LatestRecord.Id.Id);
    }

    [Theory]
    [InlineData(TransportProtocol.Tcp)]
    [InlineData(TransportProtocol.Udp)]
    public async Task EnsureAsync_SameAddressAndPortAsAnotherLoadBalancer_ReportedNotShared(TransportProtocol protocol)
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        var backend = new IPEndPoint(address, 9);
        var first = await harness.Provider.EnsureAsync(Spec(address, Listener(protocol, port, backend)), timeout.Token);

        var second = await harness.Provider.EnsureAsync(
            Spec(address, Listener(protocol, port, backend)) with { Key = new LoadBalancerKey("other", "svc") }, timeout.Token);

        Assert.True(first.IsFullyServing);
        var status = Assert.Single(second.Listeners);
        Assert.False(status.IsServing);
        Assert.Contains("AddressAlreadyInUse", status.Error);
    }

    [Fact]
    public async Task EnsureAsync_InvalidSpec_RejectedNamingFieldAndOldOneKeepsServing()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        var spec = Spec(address, Tcp(port, backend.EndPoint));
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        using var existing = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);

        var invalid = spec with { Listeners = [Tcp(port, new IPEndPoint(address, 1)) with { Backends = [new BackendSpec(address, 0)] }] };
        var e = await Assert.ThrowsAsync<LoadBalancerValidationException>(() => harness.Provider.EnsureAsync(invalid, timeout.Token));

        Assert.Equal("listeners[0].backends[0].port", Assert.Single(e.Errors).Field);
        Assert.Contains("listeners[0].backends[0].port", e.Message);
        await EchoAsync(existing, "alive", timeout.Token);
        using var fresh = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        await EchoAsync(fresh, "new", timeout.Token);
        var current = await harness.Provider.GetAsync(Key, timeout.Token);
        Assert.True(current!.IsFullyServing);
        Assert.Equal(port, Assert.Single(current.Listeners).Port);
    }

    [Fact]
    public async Task EnsureDeletedAsync_StopsListenersAndForgetsLoadBalancer()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token);
        Assert.Equal([Key], await harness.Provider.ListAsync(timeout.Token));

        await harness.Provider.EnsureDeletedAsync(Key, timeout.Token);
        await harness.Provider.EnsureDeletedAsync(Key, timeout.Token);

        Assert.Null(await harness.Provider.GetAsync(Key, timeout.Token));
        Assert.Empty(await harness.Provider.ListAsync(timeout.Token));
        await Assert.ThrowsAsync<SocketException>(async () => await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token));
    }

    [Fact]
    public async Task UpdateBackendsAsync_ChangesOnlyBackends()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var a = new TcpTestBackend(address, greeting: "a");
        await using var b = new TcpTestBackend(address, greeting: "b");
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        var spec = Spec(address, Tcp(port, a.EndPoint)) with { Settings = new LoadBalancerSettings { TcpIdleTimeout = TimeSpan.FromSeconds(20) } };
        await harness.Provider.EnsureAsync(spec, timeout.Token);

        // A backends-only update carries default settings; they must not replace the running ones.
        await harness.Provider.UpdateBackendsAsync(Spec(address, Tcp(port, b.EndPoint)), timeout.Token);

        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        Assert.Equal("b", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 1, timeout.Token)));
        harness.Advance(TimeSpan.FromSeconds(25));
        Assert.True(await Loopback.IsClosedAsync(client, timeout.Token));
    }

    [Fact]
    public async Task UpdateBackendsAsync_InvalidUpdate_RejectedNothingChanged()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var harness = new DataPlaneHarness();
        var backend = new IPEndPoint(address, 9);
        var port = await harness.EnsureTcpAsync(address, [backend], timeout.Token);

        var e = await Assert.ThrowsAsync<LoadBalancerValidationException>(() =>
            harness.Provider.UpdateBackendsAsync(Spec(address, Tcp(port, backend), Tcp(port, new IPEndPoint(address, 10))), timeout.Token));

        Assert.Equal("listeners[1]", Assert.Single(e.Errors).Field);
        Assert.Equal(backend, Assert.Single(harness.Listener(TransportProtocol.Tcp, port).Backends).Spec.EndPoint);
    }

    [Fact]
    public async Task DisposeAsync_LiveConnections_ClosedAndFurtherEnsureRefused()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address);
        var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        var spec = Spec(address, Tcp(port, backend.EndPoint));
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        await EchoAsync(client, "x", timeout.Token);

        await harness.DisposeAsync();

        Assert.True(await Loopback.IsClosedAsync(client, timeout.Token));
        await Assert.ThrowsAsync<SocketException>(async () => await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => harness.Provider.EnsureAsync(spec, timeout.Token));
    }

    [Fact]
    public async Task EnsureAsync_AddressAdded_NewSocketServesOldConnectionsKept()
    {
        using var timeout = Loopback.Timeout();
        var address1 = Loopback.RandomAddress();
        var address2 = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address1);
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address1);
        var spec = Spec(address1, Tcp(port, backend.EndPoint));
        await harness.Provider.EnsureAsync(spec, timeout.Token);
        using var kept = await Loopback.ConnectAsync(new IPEndPoint(address1, port), timeout.Token);

        var status = await harness.Provider.EnsureAsync(spec with { Addresses = [address1, address2] }, timeout.Token);

        Assert.Equal(2, status.Listeners.Length);
        Assert.True(status.IsFullyServing);
        using var viaSecond = await Loopback.ConnectAsync(new IPEndPoint(address2, port), timeout.Token);
        await EchoAsync(viaSecond, "2", timeout.Token);
        await EchoAsync(kept, "1", timeout.Token);
    }

    private static async Task EchoAsync(Socket socket, string message, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(message), SocketFlags.None, cancellationToken);
        Assert.Equal(message, Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(socket, message.Length, cancellationToken)));
    }
}
