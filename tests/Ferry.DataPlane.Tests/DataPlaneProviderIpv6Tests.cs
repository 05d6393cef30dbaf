using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Contracts;
using Ferry.DataPlane.Tests.TestSupport;

namespace Ferry.DataPlane.Tests;

public class DataPlaneProviderIpv6Tests
{
    [Fact]
    public async Task EnsureAsync_Ipv6TcpWithProxyV1_BackendSeesTcp6Header()
    {
        SkipWithoutIpv6();
        using var timeout = Loopback.Timeout();
        var address = IPAddress.IPv6Loopback;
        var headers = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new TcpTestBackend(address, async (socket, ct) =>
        {
            var header = new StringBuilder();
            while (!header.ToString().EndsWith("\r\n", StringComparison.Ordinal) && header.Length < 108)
            {
                header.Append((char)(await Loopback.ReadExactlyAsync(socket, 1, ct))[0]);
            }

            headers.SetResult(header.ToString());
            await TcpTestBackend.EchoAsync(socket, null, ct);
        });
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token, spec => spec with { Settings = spec.Settings with { ProxyProtocol = ProxyProtocolVersion.V1 } });

        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        await client.SendAsync("v6"u8.ToArray(), SocketFlags.None, timeout.Token);

        Assert.Equal("v6", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 2, timeout.Token)));
        Assert.Equal($"PROXY TCP6 ::1 ::1 {((IPEndPoint)client.LocalEndPoint!).Port} {port}\r\n", await headers.Task.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task EnsureAsync_Ipv6Udp_RepliesFromLoadBalancerAddress()
    {
        SkipWithoutIpv6();
        using var timeout = Loopback.Timeout();
        var address = IPAddress.IPv6Loopback;
        await using var backend = new UdpTestBackend(address, "six");
        await using var harness = new DataPlaneHarness();
        var port = await harness.EnsureUdpAsync(address, [backend.EndPoint], timeout.Token);
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(address, 0));
        var vip = new IPEndPoint(address, port);

        await client.SendToAsync("hello"u8.ToArray(), SocketFlags.None, vip, timeout.Token);
        var buffer = new byte[100];
        var result = await client.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), timeout.Token);

        Assert.Equal("six:hello", Encoding.ASCII.GetString(buffer, 0, result.ReceivedBytes));
        Assert.Equal(vip, result.RemoteEndPoint);
    }

    private static void SkipWithoutIpv6()
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        }
        catch (SocketException e)
        {
            Assert.Skip($"IPv6 loopback is not available: {e.SocketErrorCode}");
        }
    }
}
