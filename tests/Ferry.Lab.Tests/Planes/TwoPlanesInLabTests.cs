using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Lab.Tests.Planes;

/// <summary>
/// One suite, two planes: the data-plane behaviours every Service relies on, with real packets between network
/// namespaces, run against the userspace plane and the kernel plane (docs/kernel-data-plane.md) alike.
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class TwoPlanesInLabTests
{
    public static TheoryData<string> Planes => ["userspace", "kernel"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string OneListener(string protocol, int port, string backends, string extra = "", string listenerExtra = "", string addresses = "203.0.113.10") => $$"""
        loadBalancers:
          - name: web
            addresses: [{{addresses}}]
            {{extra}}
            listeners:
              - protocol: {{protocol}}
                port: {{port}}
                {{listenerExtra}}
                backends: [{{backends}}]
        """;

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task Tcp_WeightedRoundRobin_SharesConnectionsByWeight(string plane)
    {
        await using var rig = await PlaneLab.CreateAsync(plane);
        var light = rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv4, 8081), "light"));
        var heavy = rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv4, 8082), "heavy"));
        await rig.StartFerryAsync(OneListener("TCP", 80, PlaneLab.Backend(light.EndPoint, 1) + ", " + PlaneLab.Backend(heavy.EndPoint, 3)));

        var counts = await rig.CountAsync(new IPEndPoint(PlaneLab.Vip4, 80), 40);

        Assert.False(counts.ContainsKey(string.Empty), $"failed connections: {Describe(counts)}\n{rig.Ferry.Output}");
        Assert.InRange(counts.GetValueOrDefault("light"), 8, 12);
        Assert.InRange(counts.GetValueOrDefault("heavy"), 28, 32);
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task TcpAndUdp_OnOnePort_EachReachesItsOwnBackends(string plane)
    {
        await using var rig = await PlaneLab.CreateAsync(plane);
        var tcp = rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv4, 5353), "tcp-b"));
        var udp = rig.InBackends(ns => new UdpTestBackend(new IPEndPoint(ns.IPv4, 5353), "udp-b"));
        var yaml = $$"""
            loadBalancers:
              - name: dns
                addresses: [203.0.113.10]
                listeners:
                  - { protocol: TCP, port: 53, backends: [{{PlaneLab.Backend(tcp.EndPoint)}}] }
                  - { protocol: UDP, port: 53, backends: [{{PlaneLab.Backend(udp.EndPoint)}}] }
            """;
        await rig.StartFerryAsync(yaml);

        var vip = new IPEndPoint(PlaneLab.Vip4, 53);
        Assert.Equal("tcp-b", await rig.ReadAsync(vip));
        Assert.Equal("udp-b:hello", await rig.AskUdpAsync(vip, "hello"));
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task ClientIpAffinity_KeepsEachClientOnOneBackend_AndSpreadsClients(string plane)
    {
        await using var rig = await PlaneLab.CreateAsync(plane);
        var backends = Enumerable.Range(1, 3).Select(i => rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv4, 8080 + i), $"b{i}"))).ToList();
        await rig.StartFerryAsync(OneListener("TCP", 80, string.Join(", ", backends.Select(b => PlaneLab.Backend(b.EndPoint))), extra: "sessionAffinity: { timeoutSeconds: 600 }"));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var client in PlaneLab.ClientAddresses)
        {
            var counts = await rig.CountAsync(new IPEndPoint(PlaneLab.Vip4, 80), 6, client);
            var only = Assert.Single(counts);
            Assert.NotEqual(string.Empty, only.Key);
            seen.Add(only.Key);
        }

        Assert.Contains(seen, s => s.StartsWith('b'));
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task SourceRanges_ServeOnlyThoseClients_TcpAndUdp(string plane)
    {
        await using var rig = await PlaneLab.CreateAsync(plane);
        var tcp = rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv4, 8080), "tcp-b"));
        var udp = rig.InBackends(ns => new UdpTestBackend(new IPEndPoint(ns.IPv4, 8080), "udp-b"));
        var allowed = PlaneLab.ClientAddresses[0];
        var other = PlaneLab.ClientAddresses[1];
        var yaml = $$"""
            loadBalancers:
              - name: guarded
                addresses: [203.0.113.10]
                sourceRanges: [{{allowed}}/32]
                listeners:
                  - { protocol: TCP, port: 80, backends: [{{PlaneLab.Backend(tcp.EndPoint)}}] }
                  - { protocol: UDP, port: 80, backends: [{{PlaneLab.Backend(udp.EndPoint)}}] }
            """;
        await rig.StartFerryAsync(yaml);
        var vip = new IPEndPoint(PlaneLab.Vip4, 80);

        Assert.Equal("tcp-b", await rig.ReadAsync(vip, allowed));
        Assert.Equal("udp-b:in", await rig.AskUdpAsync(vip, "in", allowed));
        Assert.Null(await rig.ReadAsync(vip, other, TimeSpan.FromSeconds(2)));
        Assert.Null(await rig.AskUdpAsync(vip, "out", other, TimeSpan.FromSeconds(1)));
        Assert.DoesNotContain(udp.Received, r => Encoding.ASCII.GetString(r.Data) == "out");
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task HealthChecks_TakeADeadBackendOut_AndBackIn(string plane)
    {
        await using var rig = await PlaneLab.CreateAsync(plane);
        var stays = rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv4, 8081), "stays"));
        var endPoint = new IPEndPoint(rig.Backends.IPv4, 8082);
        var flaky = NetnsLab.Run(rig.Backends, () => new GreetingBackend(endPoint, "flaky"));
        var check = "healthCheck: { type: tcp, intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 1 }";
        await rig.StartFerryAsync(OneListener("TCP", 80, PlaneLab.Backend(stays.EndPoint) + ", " + PlaneLab.Backend(endPoint), listenerExtra: check));
        var vip = new IPEndPoint(PlaneLab.Vip4, 80);
        Assert.True(await EventuallyAsync(async () => (await rig.CountAsync(vip, 4)).ContainsKey("flaky")), rig.Ferry.Output);

        await flaky.DisposeAsync();

        // Once the check fails, every new connection goes to the other backend (none fails).
        Assert.True(await EventuallyAsync(async () => (await rig.CountAsync(vip, 4)) is { Count: 1 } c && c.ContainsKey("stays")), rig.Ferry.Output);
        Assert.Equal(["stays"], (await rig.CountAsync(vip, 6)).Keys);

        await using var back = NetnsLab.Run(rig.Backends, () => new GreetingBackend(endPoint, "flaky"));
        Assert.True(await EventuallyAsync(async () => (await rig.CountAsync(vip, 4)).ContainsKey("flaky")), rig.Ferry.Output);
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task ARemovedBackend_KeepsItsConnectionsUntilTheDrainTimeout_ThenTheyEnd(string plane)
    {
        await using var rig = await PlaneLab.CreateAsync(plane);
        var leaving = rig.InBackends(ns => new TcpTestBackend(new IPEndPoint(ns.IPv4, 8081), (s, ct) => TcpTestBackend.EchoAsync(s, "leaving", ct)));
        var staying = rig.InBackends(ns => new TcpTestBackend(new IPEndPoint(ns.IPv4, 8082), (s, ct) => TcpTestBackend.EchoAsync(s, "staying", ct)));
        string Config(params IPEndPoint[] backends) => OneListener("TCP", 80, string.Join(", ", backends.Select(b => PlaneLab.Backend(b))), extra: "drainTimeoutSeconds: 4");
        await rig.StartFerryAsync(Config(leaving.EndPoint));
        var vip = new IPEndPoint(PlaneLab.Vip4, 80);
        using var old = await rig.ConnectAsync(vip);
        Assert.Equal("leaving", await ReceiveTextAsync(old, "leaving".Length));

        await rig.ReloadAsync(Config(staying.EndPoint));

        // New connections go to the remaining backend; the old one still works within the drain timeout.
        using (var fresh = await rig.ConnectAsync(vip))
        {
            Assert.Equal("staying", await ReceiveTextAsync(fresh, "staying".Length));
        }

        Assert.Equal("ping", await EchoAsync(old, "ping"));

        // After it the connection is cut (the userspace plane closes it; the kernel forgets its NAT binding).
        await Task.Delay(TimeSpan.FromSeconds(6), Ct);
        Assert.Null(await EchoAsync(old, "late"));
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task IPv6_ForwardsToIPv6Backends(string plane)
    {
        await using var rig = await PlaneLab.CreateAsync(plane);
        var a = rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv6, 8081), "a6"));
        var b = rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv6, 8082), "b6"));
        await rig.StartFerryAsync(OneListener("TCP", 80, PlaneLab.Backend(a.EndPoint) + ", " + PlaneLab.Backend(b.EndPoint), addresses: "\"2001:db8:ff::10\""));

        var counts = await rig.CountAsync(new IPEndPoint(PlaneLab.Vip6, 80), 4);

        Assert.Equal(2, counts.GetValueOrDefault("a6"));
        Assert.Equal(2, counts.GetValueOrDefault("b6"));
    }

    private static async Task<string?> ReceiveTextAsync(Socket socket, int length)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(5));
        var buffer = new byte[length];
        var total = 0;
        try
        {
            while (total < length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    return null;
                }

                total += read;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !Ct.IsCancellationRequested)
        {
            return null;
        }

        return Encoding.ASCII.GetString(buffer, 0, total);
    }

    /// <summary>Sends <paramref name="text"/> and reads its echo; null when the connection no longer carries it.</summary>
    private static async Task<string?> EchoAsync(Socket socket, string text)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None, Ct);
        }
        catch (SocketException)
        {
            return null;
        }

        return await ReceiveTextAsync(socket, text.Length);
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200, Ct);
        }

        return false;
    }

    private static string Describe(Dictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{(c.Key.Length == 0 ? "failed" : c.Key)}: {c.Value}"));
}
