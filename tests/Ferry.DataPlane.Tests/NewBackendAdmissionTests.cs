using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Contracts;
using Ferry.DataPlane.Stats;
using Ferry.DataPlane.Tests.TestSupport;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests;

/// <summary>
/// A backend added to a running load balancer with an active check is probed at once and gets no new flows until a probe
/// passes; then it is admitted on that first success (docs/design/0001-data-plane.md, "Health"). Real sockets; the
/// health rounds run on the harness's virtual clock.
/// </summary>
public class NewBackendAdmissionTests
{
    private const int Flows = 40;

    private static readonly HealthCheckSpec _check = new()
    {
        Type = HealthCheckType.Tcp,
        Interval = TimeSpan.FromSeconds(10),
        Timeout = TimeSpan.FromSeconds(2),
        HealthyThreshold = 3,
        UnhealthyThreshold = 3,
    };

    [Fact]
    public async Task Tcp_AddedBackendNotAnswering_GetsNoConnections_AdmittedOnFirstSuccessfulProbe()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();
        await using var a = new TcpTestBackend(address, greeting: "a");
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        await harness.Provider.EnsureAsync(Spec(address, Tcp(port, a.EndPoint) with { HealthCheck = _check }), timeout.Token);

        // A brand-new load balancer fails open until its first probe passes, then runs on checked backends.
        Assert.Equal("a", await ReadGreetingAsync(address, port, timeout.Token));
        Assert.True(await EventuallyAsync(() => Stats(harness, TransportProtocol.Tcp, port, a.EndPoint.Port).IsHealthy && !harness.Listener(TransportProtocol.Tcp, port).IsFailOpen));

        var bEndPoint = new IPEndPoint(address, Loopback.DeadPort(address));
        await harness.Provider.EnsureAsync(Spec(address, Tcp(port, a.EndPoint, bEndPoint) with { HealthCheck = _check }), timeout.Token);
        for (var i = 0; i < Flows; i++)
        {
            Assert.Equal("a", await ReadGreetingAsync(address, port, timeout.Token));
        }

        var b = Stats(harness, TransportProtocol.Tcp, port, bEndPoint.Port);
        Assert.False(b.IsHealthy);
        Assert.Equal(0, b.TotalConnections);
        Assert.Equal(0, b.ConnectFailures); // not even tried: a connect attempt would count here
        Assert.False(harness.Listener(TransportProtocol.Tcp, port).IsFailOpen);

        // It starts answering: the next round's probe admits it, though the check asks for 3 successes to come back.
        await using var answering = LoopbackServer.Start(static (socket, ct) => socket.SendAsync(Encoding.ASCII.GetBytes("b"), SocketFlags.None, ct).AsTask(), bEndPoint);
        harness.Time.Advance(_check.Interval);
        Assert.True(await EventuallyAsync(() => Stats(harness, TransportProtocol.Tcp, port, bEndPoint.Port).IsHealthy), "the added backend was not admitted");
        var seen = new HashSet<string>();
        for (var i = 0; i < Flows && seen.Count < 2; i++)
        {
            seen.Add(await ReadGreetingAsync(address, port, timeout.Token));
        }

        Assert.Equal(["a", "b"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Udp_AddedBackendNotAnswering_GetsNoDatagrams_AdmittedOnFirstSuccessfulProbe()
    {
        using var timeout = Loopback.Timeout();
        var address = Loopback.RandomAddress();

        // The TCP check probes the backend's port number over TCP: a "node" answers it while it serves the UDP port.
        await using var a = new UdpTestBackend(address, "a");
        await using var aHealth = LoopbackServer.AcceptAndClose(a.EndPoint);
        var bEndPoint = new IPEndPoint(address, Loopback.FreePort(address));
        await using var b = new SilentUdpBackend(bEndPoint, "b");
        await using var harness = new DataPlaneHarness();
        var port = Loopback.FreePort(address);
        var vip = new IPEndPoint(address, port);
        await harness.Provider.EnsureAsync(Spec(address, Udp(port, a.EndPoint) with { HealthCheck = _check }), timeout.Token);
        Assert.True(await EventuallyAsync(() => Stats(harness, TransportProtocol.Udp, port, a.EndPoint.Port).IsHealthy));

        await harness.Provider.EnsureAsync(Spec(address, Udp(port, a.EndPoint, bEndPoint) with { HealthCheck = _check }), timeout.Token);
        for (var i = 0; i < Flows; i++)
        {
            using var client = Loopback.UdpClientSocket(); // a new source port: a new flow, picked anew
            var (reply, _) = await Loopback.ExchangeAsync(client, vip, $"m{i}", timeout.Token);
            Assert.Equal($"a:m{i}", reply);
        }

        Assert.Equal(0, b.ReceivedCount);
        Assert.Equal(0, Stats(harness, TransportProtocol.Udp, port, bEndPoint.Port).TotalConnections);

        b.StartAnswering();
        await using var bHealth = LoopbackServer.AcceptAndClose(bEndPoint);
        harness.Time.Advance(_check.Interval);
        Assert.True(await EventuallyAsync(() => Stats(harness, TransportProtocol.Udp, port, bEndPoint.Port).IsHealthy), "the added backend was not admitted");
        var seen = new HashSet<string>();
        for (var i = 0; i < Flows && seen.Count < 2; i++)
        {
            using var client = Loopback.UdpClientSocket();
            var (reply, _) = await Loopback.ExchangeAsync(client, vip, "x", timeout.Token);
            seen.Add(reply);
        }

        Assert.Equal(["a:x", "b:x"], seen.Order(StringComparer.Ordinal));
    }

    private static BackendStats Stats(DataPlaneHarness harness, TransportProtocol protocol, int port, int backendPort) =>
        harness.Listener(protocol, port).Backends.Single(x => x.Spec.Port == backendPort);

    private static async Task<string> ReadGreetingAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
        return Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 1, cancellationToken));
    }
}
