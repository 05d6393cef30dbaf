using System.Net;
using System.Net.Sockets;

namespace Ferry.Lab.Tests.Planes;

/// <summary>
/// The hybrid (<c>--data-plane kernel</c>): a listener with the PROXY protocol stays in userspace next to the kernel's,
/// and one that comes to need it moves there without a failed connection.
/// </summary>
[Collection(OneLabAtATime.Name)]
public sealed class HybridPlaneInLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(IPEndPoint backend, bool webProxied) => $$"""
        loadBalancers:
          - name: web
            addresses: [203.0.113.10]
            proxyProtocol: {{(webProxied ? "v1" : "none")}}
            listeners:
              - { protocol: TCP, port: 80, backends: [{{PlaneLab.Backend(backend)}}] }
          - name: pp
            addresses: [203.0.113.10]
            proxyProtocol: v1
            listeners:
              - { protocol: TCP, port: 81, backends: [{{PlaneLab.Backend(backend)}}] }
        """;

    [Fact]
    public async Task ProxyProtocolListeners_StayInUserspace_TheOthersGoToTheKernel_AndAListenerMovesWithoutAFailedConnection()
    {
        await using var rig = await PlaneLab.CreateAsync("kernel");
        var backend = rig.InBackends(ns => new TcpTestBackend(new IPEndPoint(ns.IPv4, 8081), FirstLineBackAsync));
        await rig.StartFerryAsync(Config(backend.EndPoint, webProxied: false), loadBalancers: 2);
        var web = new IPEndPoint(PlaneLab.Vip4, 80);
        var pp = new IPEndPoint(PlaneLab.Vip4, 81);
        var client = PlaneLab.ClientAddresses[0];

        Assert.Contains("load balancer web: 80/TCP kernel", rig.Ferry.Output, StringComparison.Ordinal);
        Assert.Contains("load balancer pp: 81/TCP userspace (PROXY protocol)", rig.Ferry.Output, StringComparison.Ordinal);
        Assert.Equal("hi", await FirstLineAsync(rig, web, client));
        Assert.StartsWith($"PROXY TCP4 {client} {PlaneLab.Vip4} ", await FirstLineAsync(rig, pp, client), StringComparison.Ordinal);

        // web now needs the PROXY protocol: userspace binds before the kernel lets go; connections all through succeed.
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var (attempts, failures) = (0, 0);
        var probe = Task.Run(
            async () =>
            {
                while (!probing.IsCancellationRequested)
                {
                    attempts++;
                    failures += await FirstLineAsync(rig, web, client) is null ? 1 : 0;
                    await Task.Delay(10, CancellationToken.None);
                }
            },
            CancellationToken.None);
        await rig.ReloadAsync(Config(backend.EndPoint, webProxied: true));
        await Task.Delay(300, Ct);
        await probing.CancelAsync();
        await probe;

        Assert.True(attempts > 5, $"only {attempts} attempts");
        Assert.Equal(0, failures);
        Assert.Contains("load balancer web: 80/TCP userspace (PROXY protocol)", rig.Ferry.Output, StringComparison.Ordinal);
        Assert.StartsWith($"PROXY TCP4 {client} {PlaneLab.Vip4} ", await FirstLineAsync(rig, web, client), StringComparison.Ordinal);
    }

    /// <summary>The backend: the first line it receives (a PROXY header, or the client's own), written back, then close.</summary>
    private static async Task FirstLineBackAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        var total = 0;
        while (total < buffer.Length && Array.IndexOf(buffer, (byte)'\n', 0, total) < 0)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        var end = Array.IndexOf(buffer, (byte)'\n', 0, total);
        await socket.SendAsync(buffer.AsMemory(0, end < 0 ? total : end + 1), SocketFlags.None, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Says "hi" and returns the first line the backend sent back (without CR LF); null when the connection fails.</summary>
    private static async Task<string?> FirstLineAsync(PlaneLab rig, IPEndPoint vip, IPAddress source) =>
        await LabConnections.ReadToEndAsync(rig.Lab.Client, vip, TimeSpan.FromSeconds(5), Ct, source, send: "hi\n") is { Length: > 0 } text
            ? text.TrimEnd('\r', '\n')
            : null;
}
