using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Tests.TestSupport;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests.Forwarding;

/// <summary>
/// A connection is watched by its listener from accept on (the sweeper enforces the connect timeout),
/// but counted as open only once its backend answered.
/// </summary>
public class TcpConnectPhaseTests
{
    [Fact]
    public async Task Dispose_WhileConnecting_ClientClosedAndNeverCountedOpen()
    {
        using var timeout = Loopback.Timeout(30);
        var address = Loopback.RandomAddress();
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(address, 0));
        blackhole.Listen(0);
        var fillers = new List<Socket>();
        try
        {
            Assert.True(await FillBacklogAsync(blackhole, fillers, timeout.Token), "could not fill the backlog of the silent backend");
            await using var harness = new DataPlaneHarness();
            var port = await harness.EnsureTcpAsync(address, [(IPEndPoint)blackhole.LocalEndPoint!], timeout.Token);
            using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).Accepted == 1));

            // Virtual time stands still, so the connect is still pending: not open, not failed.
            var connecting = harness.Listener(TransportProtocol.Tcp, port);
            Assert.Equal(0, connecting.ActiveConnections);
            Assert.Equal(0, connecting.ConnectFailures);

            await harness.DisposeAsync();

            Assert.True(await Loopback.IsClosedAsync(client, timeout.Token));
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task Sweep_ConnectPendingPastTimeout_FailsAsTimedOutAndClosesClient()
    {
        using var timeout = Loopback.Timeout(30);
        var address = Loopback.RandomAddress();
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(address, 0));
        blackhole.Listen(0);
        var fillers = new List<Socket>();
        try
        {
            Assert.True(await FillBacklogAsync(blackhole, fillers, timeout.Token), "could not fill the backlog of the silent backend");
            await using var harness = new DataPlaneHarness(new DataPlaneOptions { ConnectTimeout = TimeSpan.FromSeconds(3), MaxConnectAttempts = 1 });
            var port = await harness.EnsureTcpAsync(address, [(IPEndPoint)blackhole.LocalEndPoint!], timeout.Token);
            using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).Accepted == 1));

            harness.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(0, harness.Listener(TransportProtocol.Tcp, port).ConnectFailures);

            // "Accepted" is counted before the connect starts, so on a loaded machine the connect may start
            // only after the first advance; the sweeper then fails it one step later, never before 3 s.
            for (var step = 0; step < 3 && harness.Listener(TransportProtocol.Tcp, port).ConnectFailures == 0; step++)
            {
                harness.Advance(TimeSpan.FromSeconds(2));
                await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).ConnectFailures == 1, seconds: 1);
            }

            Assert.True(await Loopback.IsClosedAsync(client, timeout.Token));
            Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).NoBackend == 1));
            var stats = harness.Listener(TransportProtocol.Tcp, port);
            Assert.Equal(1, stats.ConnectFailures);
            Assert.Equal(0, stats.TotalConnections);
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    /// <summary>Fills the never-accepted queue until a connect hangs: later SYNs are dropped, so connects to it wait.</summary>
    private static async Task<bool> FillBacklogAsync(Socket blackhole, List<Socket> fillers, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 8; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            var connect = filler.ConnectAsync(blackhole.LocalEndPoint!, cancellationToken).AsTask();
            if (await Task.WhenAny(connect, Task.Delay(300, cancellationToken)) != connect)
            {
                return true;
            }
        }

        return false;
    }
}
