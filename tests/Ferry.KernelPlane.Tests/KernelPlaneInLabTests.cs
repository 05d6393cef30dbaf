using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.KernelPlane.Tests;

/// <summary>The kernel plane's health-driven maps, counters and drains, with real packets (root only).</summary>
public partial class KernelForwardingInLabTests
{
    [Fact]
    public async Task Health_ABackendThatStopsAnsweringLeavesTheMap_AndComesBack()
    {
        var setup = await StartAsync(_vip + "/32");
        await using var lab = setup.Lab;
        var node2 = lab.Nodes[1];
        var third = new IPEndPoint(node2.IPv4, 8082);
        var check = new HealthCheckSpec { Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromMilliseconds(300), HealthyThreshold = 1, UnhealthyThreshold = 1 };
        await using var provider = Provider(setup.Balancer);
        var b3 = NetnsLab.Run(node2, () => new GreetingBackend(third, "b3"));
        var spec = Spec(setup.First.EndPoint, third) with { Listeners = [new ListenerSpec { Protocol = TransportProtocol.Tcp, Port = 80, Backends = [new(setup.First.EndPoint.Address, 8080), new(node2.IPv4, 8082)], HealthCheck = check }] };
        await provider.EnsureAsync(spec, Ct);
        Assert.True(await SeenAllAsync(lab.Client, ["b1", "b3"]), "both backends serve");

        await b3.DisposeAsync();
        Assert.True(await OnlyAsync(lab.Client, "b1"), "the failed backend left the map: " + Describe(provider, spec.Key, setup.Balancer));
        Assert.Equal(["b1", "b1", "b1", "b1"], [await ReadAsync(lab.Client), await ReadAsync(lab.Client), await ReadAsync(lab.Client), await ReadAsync(lab.Client)]);
        var stats = Assert.Single(provider.GetStats(spec.Key)!.Listeners);
        Assert.False(stats.IsFailOpen);
        Assert.Equal([true, false], stats.Backends.Select(b => b.IsHealthy));

        await using var back = NetnsLab.Run(node2, () => new GreetingBackend(third, "b3"));
        Assert.True(await SeenAllAsync(lab.Client, ["b1", "b3"]), "the backend came back");
    }

    [Fact]
    public async Task Health_TransitionsWithinTheCoalesceDelay_CostOneTransaction()
    {
        var setup = await StartAsync(_vip + "/32");
        await using var lab = setup.Lab;
        var monitors = new ManualHealthMonitors();
        await using var provider = Provider(setup.Balancer, monitors, new NftablesProviderOptions { CoalesceDelay = TimeSpan.FromMilliseconds(300) });
        var unused = new IPEndPoint(lab.Nodes[1].IPv4, 8090);
        var check = new HealthCheckSpec { HealthyThreshold = 1, UnhealthyThreshold = 1 };
        var spec = Spec(setup.First.EndPoint, setup.Second.EndPoint, unused) with
        {
            Listeners = [new ListenerSpec { Protocol = TransportProtocol.Tcp, Port = 80, Backends = [new(setup.First.EndPoint.Address, 8080), new(setup.Second.EndPoint.Address, 8081), new(unused.Address, unused.Port)], HealthCheck = check }],
        };
        await provider.EnsureAsync(spec, Ct);
        var backends = Assert.Single(monitors.Created).Backends;
        foreach (var backend in backends)
        {
            backend.Health.ReportSuccess();
        }

        Assert.True(await SettledAsync(provider), "the first checks were programmed");
        var before = provider.Transactions;

        backends[1].Health.ReportFailure();
        backends[2].Health.ReportFailure();

        Assert.True(await SettledAsync(provider, before), "the transitions were programmed");
        Assert.Equal(before + 1, provider.Transactions);
        Assert.Equal(["b1", "b1", "b1"], [await ReadAsync(lab.Client), await ReadAsync(lab.Client), await ReadAsync(lab.Client)]);
    }

    /// <summary>Waits (at most 5 s) until the transaction count passed <paramref name="after"/> and then stayed for a second.</summary>
    private static async Task<bool> SettledAsync(NftablesProvider provider, int after = 0)
    {
        var (last, since) = (provider.Transactions, DateTime.UtcNow);
        for (var i = 0; i < 100; i++)
        {
            await Task.Delay(50, Ct);
            if (provider.Transactions != last)
            {
                (last, since) = (provider.Transactions, DateTime.UtcNow);
            }
            else if (last > after && DateTime.UtcNow - since > TimeSpan.FromSeconds(1))
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public async Task Counters_BytesBothWaysConnectionsAndSourceRangeDrops_SurviveReRenders()
    {
        var setup = await StartAsync("203.0.113.0/24");
        await using var lab = setup.Lab;
        await using var echo = new EchoServer(lab.Nodes[1], new IPEndPoint(lab.Nodes[1].IPv4, 9000));
        await using var provider = Provider(setup.Balancer);
        var spec = Spec(echo.EndPoint);
        await provider.EnsureAsync(spec, Ct);

        const int Connections = 4;
        const int Payload = 40_000;
        for (var i = 0; i < Connections; i++)
        {
            using var socket = await ConnectAsync(lab.Client, _vip);
            Assert.Equal(Payload, await EchoAsync(socket, Payload));
        }

        // Another load balancer comes: the table is re-rendered, the counters carry over. Its source ranges exclude the client.
        var other = IPAddress.Parse("203.0.113.11");
        var guarded = Spec(other, "guarded", echo.EndPoint) with { Settings = new LoadBalancerSettings { SourceRanges = [IPNetwork.Parse("198.51.100.0/24")] } };
        await provider.EnsureAsync(guarded, Ct);
        Assert.Null(await ReadAsync(lab.Client, TimeSpan.FromSeconds(2), other));

        var listener = Assert.Single(provider.GetStats(spec.Key)!.Listeners);
        var backend = Assert.Single(listener.Backends);
        Assert.Equal(Connections, listener.Accepted);
        Assert.Equal(Connections, backend.TotalConnections);

        // IP lengths: the payload plus headers and the other side's ACKs (under 20 %).
        Assert.InRange(backend.BytesToBackend, Connections * Payload, Connections * Payload * 1.2);
        Assert.InRange(backend.BytesToClient, Connections * Payload, Connections * Payload * 1.2);
        Assert.Equal(0, listener.RefusedBySourceRange);
        Assert.InRange(Assert.Single(provider.GetStats(guarded.Key)!.Listeners).RefusedBySourceRange, 1, 10);
    }

    [Fact]
    public async Task Drain_ARemovedBackendKeepsItsConnectionsForTheDrainTimeout_ThenConntrackEndsThem()
    {
        var setup = await StartAsync(_vip + "/32");
        await using var lab = setup.Lab;
        await using var echo = new EchoServer(lab.Nodes[1], new IPEndPoint(lab.Nodes[1].IPv4, 9000));
        await using var provider = Provider(setup.Balancer, options: new NftablesProviderOptions { DrainSweepInterval = TimeSpan.FromMilliseconds(100) });
        var drain = new LoadBalancerSettings { DrainTimeout = TimeSpan.FromSeconds(3) };
        await provider.EnsureAsync(Spec(echo.EndPoint) with { Settings = drain }, Ct);
        using var kept = await ConnectAsync(lab.Client, _vip);
        Assert.Equal(100, await EchoAsync(kept, 100));

        // The echo backend is replaced by b1: new connections go to b1, the open one still reaches the echo backend.
        var removedAt = TimeProvider.System.GetTimestamp();
        await provider.EnsureAsync(Spec(setup.First.EndPoint) with { Settings = drain }, Ct);
        Assert.Equal("b1", await ReadAsync(lab.Client));
        Assert.Equal(100, await EchoAsync(kept, 100));
        Assert.Contains(Assert.Single(provider.GetStats(new LoadBalancerKey("default", "web"))!.Listeners).Backends, b => b.IsDraining && b.Spec.Port == 9000);
        Assert.True(TimeProvider.System.GetElapsedTime(removedAt) < TimeSpan.FromSeconds(2.5), "the checks above ran within the drain");

        // After the drain its conntrack entry is deleted: the next segment is a new flow, DNATed to b1, which resets it.
        await Task.Delay(TimeSpan.FromSeconds(4), Ct);
        Assert.Equal(-1, await EchoAsync(kept, 100, TimeSpan.FromSeconds(5)));
        Assert.DoesNotContain(Assert.Single(provider.GetStats(new LoadBalancerKey("default", "web"))!.Listeners).Backends, b => b.IsDraining);
    }

    private static string Describe(NftablesProvider provider, LoadBalancerKey key, LabNamespace balancer) =>
        string.Join(", ", provider.GetStats(key)!.Listeners.SelectMany(l => l.Backends).Select(b => $"{b.Spec} healthy={b.IsHealthy}"))
        + "\n" + Apply(balancer, "list chain inet ferry services\n");

    /// <summary>Reads until every one of <paramref name="names"/> answered (at most 10 s).</summary>
    private static async Task<bool> SeenAllAsync(LabNamespace client, string[] names)
    {
        var seen = new HashSet<string?>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        for (var i = 0; i < 200 && DateTime.UtcNow < deadline && !names.All(seen.Contains); i++)
        {
            seen.Add(await ReadAsync(client, TimeSpan.FromSeconds(2)));
            await Task.Delay(20, Ct);
        }

        return names.All(seen.Contains);
    }

    /// <summary>Reads until six answers in a row are <paramref name="name"/> (at most 10 s).</summary>
    private static async Task<bool> OnlyAsync(LabNamespace client, string name)
    {
        var run = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        for (var i = 0; i < 300 && DateTime.UtcNow < deadline && run < 6; i++)
        {
            run = await ReadAsync(client, TimeSpan.FromSeconds(2)) == name ? run + 1 : 0;
            await Task.Delay(20, Ct); // refused connects return at once: give the health check time to see it
        }

        return run >= 6;
    }

    private static async Task<Socket> ConnectAsync(LabNamespace client, IPAddress vip)
    {
        var socket = NetnsLab.Run(client, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new IPEndPoint(vip, 80), cts.Token);
        return socket;
    }

    /// <summary>Sends <paramref name="count"/> bytes and reads them back: the count echoed, or -1 when the connection failed or went silent.</summary>
    private static async Task<int> EchoAsync(Socket socket, int count, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            var data = new byte[count];
            var sending = socket.SendAsync(data, SocketFlags.None, cts.Token).AsTask();
            var buffer = new byte[16384];
            var total = 0;
            while (total < count)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    return -1;
                }

                total += read;
            }

            await sending;
            return total;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !Ct.IsCancellationRequested)
        {
            return -1;
        }
    }
}
