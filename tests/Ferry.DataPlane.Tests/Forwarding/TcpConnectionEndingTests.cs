using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Tests.TestSupport;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests.Forwarding;

/// <summary>How a proxied TCP connection ended is counted once: finished by both sides, reset, or aborted by Ferry.</summary>
public class TcpConnectionEndingTests
{
    [Fact]
    public async Task Close_BothSidesFinish_CountedNeitherResetNorAborted()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token);
        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        await client.SendAsync("a"u8.ToArray(), SocketFlags.None, timeout.Token);
        await Loopback.ReadExactlyAsync(client, 1, timeout.Token);

        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await Loopback.ReadToEndAsync(client, timeout.Token));

        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).ActiveConnections == 0));
        var stats = harness.Listener(TransportProtocol.Tcp, port);
        Assert.Equal(0, stats.ConnectionsReset);
        Assert.Equal(0, stats.ConnectionsAborted);
    }

    [Fact]
    public async Task Close_BackendResets_CountedAsReset()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address, async (socket, ct) =>
        {
            await Loopback.ReadExactlyAsync(socket, 1, ct);

            // Linger 0: the close sends a reset instead of a FIN.
            socket.LingerState = new LingerOption(true, 0);
        });
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token);
        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);

        await client.SendAsync("a"u8.ToArray(), SocketFlags.None, timeout.Token);

        Assert.True(await Loopback.IsClosedAsync(client, timeout.Token));
        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).ConnectionsReset == 1));
        Assert.Equal(0, harness.Listener(TransportProtocol.Tcp, port).ConnectionsAborted);
    }

    [Fact]
    public async Task Sweep_IdleTimeoutCloses_CountedAsAborted()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { TcpIdleTimeout = TimeSpan.FromSeconds(10) } });
        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        await client.SendAsync("a"u8.ToArray(), SocketFlags.None, timeout.Token);
        await Loopback.ReadExactlyAsync(client, 1, timeout.Token);

        harness.Advance(TimeSpan.FromSeconds(11));

        Assert.True(await Loopback.IsClosedAsync(client, timeout.Token));
        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).ConnectionsAborted == 1));
        Assert.Equal(0, harness.Listener(TransportProtocol.Tcp, port).ConnectionsReset);
    }
}
