using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Ferry.Contracts;
using Ferry.DataPlane.Tests.TestSupport;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests;

public class DataPlaneProviderTcpTests
{
    [Fact]
    public async Task EnsureAsync_LargeTransferBothWays_BytesArriveIntact()
    {
        using var timeout = Loopback.Timeout(30);
        var address = Loopback.RandomAddress();
        var fromBackend = RandomNumberGenerator.GetBytes(8 * 1024 * 1024 + 17);
        var toBackend = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 5);
        var receivedByBackend = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new TcpTestBackend(address, async (socket, ct) =>
        {
            var send = socket.SendAsync(fromBackend, SocketFlags.None, ct).AsTask();
            var received = await Loopback.ReadToEndAsync(socket, ct);
            await send;
            receivedByBackend.SetResult(received);
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var harness = new DataPlaneHarness();
        var status = await harness.Provider.EnsureAsync(Spec(address, Tcp(0 + Loopback.FreePort(address), backend.EndPoint)), timeout.Token);
        Assert.True(status.IsFullyServing);

        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, status.Listeners[0].Port), timeout.Token);
        var sending = Task.Run(async () =>
        {
            await client.SendAsync(toBackend, SocketFlags.None, timeout.Token);
            client.Shutdown(SocketShutdown.Send);
        }, timeout.Token);
        var receivedByClient = await Loopback.ReadToEndAsync(client, timeout.Token);
        await sending;

        Assert.Equal(SHA256.HashData(fromBackend), SHA256.HashData(receivedByClient));
        Assert.Equal(SHA256.HashData(toBackend), SHA256.HashData(await receivedByBackend.Task.WaitAsync(timeout.Token)));
        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, status.Listeners[0].Port).ActiveConnections == 0));
        var stats = harness.Listener(TransportProtocol.Tcp, status.Listeners[0].Port);
        Assert.Equal(toBackend.Length, stats.BytesToBackend);
        Assert.Equal(fromBackend.Length, stats.BytesToClient);
        Assert.Equal(toBackend.Length, stats.Backends[0].BytesToBackend);
        Assert.Equal(1, stats.Backends[0].TotalConnections);
    }

    [Fact]
    public async Task EnsureAsync_ClientHalfCloses_BackendReplyStillArrives()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        // The backend answers only after the client's EOF: a proxy that closes on the first EOF loses the answer.
        await using var backend = new TcpTestBackend(address, async (socket, ct) =>
        {
            var request = await Loopback.ReadToEndAsync(socket, ct);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"got {request.Length} bytes"), SocketFlags.None, ct);
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token);

        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        await client.SendAsync(new byte[12345], SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        var reply = await Loopback.ReadToEndAsync(client, timeout.Token);

        Assert.Equal("got 12345 bytes", Encoding.ASCII.GetString(reply));
    }

    [Fact]
    public async Task EnsureAsync_BackendHalfClosesFirst_ClientCanStillSend()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        var receivedByBackend = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new TcpTestBackend(address, async (socket, ct) =>
        {
            await socket.SendAsync("bye"u8.ToArray(), SocketFlags.None, ct);
            socket.Shutdown(SocketShutdown.Send);
            receivedByBackend.SetResult((await Loopback.ReadToEndAsync(socket, ct)).Length);
        });
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token);

        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        Assert.Equal("bye", Encoding.ASCII.GetString(await Loopback.ReadToEndAsync(client, timeout.Token)));
        await client.SendAsync(new byte[1 << 20], SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(1 << 20, await receivedByBackend.Task.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task EnsureAsync_BackendDeadButNotYetDetected_ConnectSucceedsThroughAnother()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var live = new TcpTestBackend(address, greeting: "live\n");
        var dead = new IPEndPoint(address, Loopback.DeadPort(address));
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [dead, live.EndPoint], timeout.Token);

        for (var i = 0; i < 6; i++)
        {
            using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            var greeting = await Loopback.ReadExactlyAsync(client, 5, timeout.Token);
            Assert.Equal("live\n", Encoding.ASCII.GetString(greeting));
        }

        var stats = harness.Listener(TransportProtocol.Tcp, port);
        Assert.True(stats.ConnectFailures >= 1);
        Assert.Equal(0, stats.NoBackend);
        var deadStats = stats.Backends.Single(b => b.Spec.Port == dead.Port);
        Assert.Equal(stats.ConnectFailures, deadStats.ConnectFailures);
        Assert.Equal(0, deadStats.TotalConnections);
        Assert.Equal(6, live.Accepted);
    }

    [Fact]
    public async Task Connect_BackendNeverAnswers_TimesOutOnVirtualTimeAndUsesAnother()
    {
        using var timeout = Loopback.Timeout(30);
        var address = Loopback.RandomAddress();
        await using var live = new TcpTestBackend(address, greeting: "live");
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(address, 0));
        blackhole.Listen(0);
        var fillers = new List<Socket>();
        try
        {
            // Fill the never-accepted queue until a connect hangs: later SYNs are dropped, so connects to it wait.
            var isFull = false;
            for (var i = 0; i < 8 && !isFull; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                var connect = filler.ConnectAsync(blackhole.LocalEndPoint!, timeout.Token).AsTask();
                isFull = await Task.WhenAny(connect, Task.Delay(300, timeout.Token)) != connect;
            }

            Assert.True(isFull, "could not fill the backlog of the silent backend");
            await using var harness = new DataPlaneHarness(new DataPlaneOptions { ConnectTimeout = TimeSpan.FromSeconds(5) });
            var port = await harness.EnsureTcpAsync(address, [(IPEndPoint)blackhole.LocalEndPoint!, live.EndPoint], timeout.Token);

            for (var i = 0; i < 2; i++)
            {
                using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
                var greeting = Loopback.ReadExactlyAsync(client, 4, timeout.Token);
                for (var step = 0; step < 50 && !greeting.IsCompleted; step++)
                {
                    // Only virtual time passes the connect timeout; give the proxy a moment to start connecting.
                    await Task.WhenAny(greeting, Task.Delay(50, timeout.Token));
                    harness.Time.Advance(TimeSpan.FromSeconds(1));
                }

                Assert.Equal("live", Encoding.ASCII.GetString(await greeting));
            }

            var stats = harness.Listener(TransportProtocol.Tcp, port);
            Assert.InRange(stats.ConnectFailures, 1, 2);
            Assert.Equal(stats.ConnectFailures, stats.Backends.Single(b => b.Spec.Port != live.EndPoint.Port).ConnectFailures);
            Assert.Equal(2, live.Accepted);
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
    public async Task EnsureAsync_AllBackendsDead_ClientClosedAndCounted()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        await harness.Provider.EnsureAsync(Spec(address, Tcp(port, new IPEndPoint(address, Loopback.DeadPort(address)))), timeout.Token);

        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);

        Assert.True(await Loopback.IsClosedAsync(client, timeout.Token));
        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).NoBackend == 1));
    }

    [Fact]
    public async Task EnsureAsync_SourceRanges_ClientOutsideRefusedInsideServed()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address, greeting: "hi\n");
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { SourceRanges = [IPNetwork.Parse("127.0.0.2/32")] } });

        using var allowed = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token, IPAddress.Parse("127.0.0.2"));
        Assert.Equal("hi\n", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(allowed, 3, timeout.Token)));

        // Refused with a reset at once: it may even surface in the connect call itself.
        try
        {
            using var refused = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token, IPAddress.Parse("127.0.0.3"));
            Assert.True(await Loopback.IsClosedAsync(refused, timeout.Token));
        }
        catch (SocketException e)
        {
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
        }

        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).RefusedBySourceRange == 1));

        var stats = harness.Listener(TransportProtocol.Tcp, port);
        Assert.Equal(1, stats.RefusedBySourceRange);
        Assert.Equal(1, backend.Accepted);
    }

    [Theory]
    [InlineData(ProxyProtocolVersion.V1)]
    [InlineData(ProxyProtocolVersion.V2)]
    public async Task EnsureAsync_ProxyProtocol_BackendSeesClientAddressByteExact(ProxyProtocolVersion version)
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        var clientAddress = IPAddress.Parse("127.0.0.2");
        var headers = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new TcpTestBackend(address, async (socket, ct) =>
        {
            var header = version == ProxyProtocolVersion.V1 ? await ReadV1Async(socket, ct) : await ReadV2Async(socket, ct);
            headers.SetResult(header);
            await TcpTestBackend.EchoAsync(socket, null, ct);
        });
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { ProxyProtocol = version } });

        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token, clientAddress);
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        await client.SendAsync("ping"u8.ToArray(), SocketFlags.None, timeout.Token);
        var echoed = await Loopback.ReadExactlyAsync(client, 4, timeout.Token);

        var expected = version == ProxyProtocolVersion.V1
            ? Encoding.ASCII.GetBytes($"PROXY TCP4 127.0.0.2 {address} {clientPort} {port}\r\n")
            : [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C,
               127, 0, 0, 2, .. address.GetAddressBytes(), (byte)(clientPort >> 8), (byte)clientPort, (byte)(port >> 8), (byte)port];
        Assert.Equal(expected, await headers.Task.WaitAsync(timeout.Token));
        Assert.Equal("ping", Encoding.ASCII.GetString(echoed));
    }

    [Fact]
    public async Task EnsureAsync_ThousandConcurrentConnections_AllEchoed()
    {
        const int Count = 1000;
        using var timeout = Loopback.Timeout(60);
        var address = Loopback.RandomAddress();
        await using var backendA = new TcpTestBackend(address);
        await using var backendB = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backendA.EndPoint, backendB.EndPoint], timeout.Token);
        var endPoint = new IPEndPoint(address, port);
        var clients = new Socket[Count];
        try
        {
            using var gate = new SemaphoreSlim(100);
            await Task.WhenAll(Enumerable.Range(0, Count).Select(async i =>
            {
                await gate.WaitAsync(timeout.Token);
                try
                {
                    clients[i] = await Loopback.ConnectAsync(endPoint, timeout.Token);
                    await clients[i].SendAsync(BitConverter.GetBytes(i), SocketFlags.None, timeout.Token);
                    var echo = await Loopback.ReadExactlyAsync(clients[i], 4, timeout.Token);
                    Assert.Equal(i, BitConverter.ToInt32(echo));
                }
                finally
                {
                    gate.Release();
                }
            }));

            // All 1,000 are open at the same time here.
            var stats = harness.Listener(TransportProtocol.Tcp, port);
            Assert.Equal(Count, stats.ActiveConnections);
            Assert.Equal(Count, stats.Backends.Sum(b => b.ActiveConnections));
            Assert.Equal(Count, backendA.Accepted + backendB.Accepted);
            Assert.True(backendA.Accepted > 100 && backendB.Accepted > 100);
        }
        finally
        {
            foreach (var client in clients)
            {
                client?.Dispose();
            }
        }

        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).ActiveConnections == 0, 30));
    }

    [Fact]
    public async Task EnsureAsync_PolicyThrows_OnlyThatConnectionFails()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address, greeting: "ok");
        await using var harness = new DataPlaneHarness(policies: new FlakyPolicyFactory());
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token);

        using var first = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        Assert.True(await Loopback.IsClosedAsync(first, timeout.Token));
        using var second = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);

        Assert.Equal("ok", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(second, 2, timeout.Token)));
    }

    [Fact]
    public async Task Sweep_ConnectionIdleLongerThanTimeout_Closed()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { TcpIdleTimeout = TimeSpan.FromSeconds(60) } });
        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        await client.SendAsync("a"u8.ToArray(), SocketFlags.None, timeout.Token);
        await Loopback.ReadExactlyAsync(client, 1, timeout.Token);

        harness.Advance(TimeSpan.FromSeconds(30));
        await client.SendAsync("b"u8.ToArray(), SocketFlags.None, timeout.Token);
        Assert.Equal("b", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 1, timeout.Token)));
        harness.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(1, harness.Listener(TransportProtocol.Tcp, port).ActiveConnections);

        harness.Advance(TimeSpan.FromSeconds(20));

        Assert.True(await Loopback.IsClosedAsync(client, timeout.Token));
        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).ActiveConnections == 0));
    }

    private static async Task<byte[]> ReadV1Async(Socket socket, CancellationToken cancellationToken)
    {
        var header = new List<byte>();
        while (header.Count < 108 && !(header.Count >= 2 && header[^2] == '\r' && header[^1] == '\n'))
        {
            header.AddRange(await Loopback.ReadExactlyAsync(socket, 1, cancellationToken));
        }

        return [.. header];
    }

    private static async Task<byte[]> ReadV2Async(Socket socket, CancellationToken cancellationToken)
    {
        var fixedPart = await Loopback.ReadExactlyAsync(socket, 16, cancellationToken);
        var length = (fixedPart[14] << 8) | fixedPart[15];
        return [.. fixedPart, .. await Loopback.ReadExactlyAsync(socket, length, cancellationToken)];
    }
}
