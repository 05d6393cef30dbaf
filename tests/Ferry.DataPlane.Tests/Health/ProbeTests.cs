using System.Collections.Concurrent;
using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Health;

namespace Ferry.DataPlane.Tests.Health;

public class ProbeTests
{
    private static readonly TimeSpan _maxWait = TimeSpan.FromSeconds(5);

    internal static BackendState BackendAt(IPEndPoint endPoint, HealthCheckSpec? check = null) =>
        new(new BackendSpec(endPoint.Address, endPoint.Port), BackendHealth.For(check));

    /// <summary>An endpoint nobody listens on: a fresh random loopback address and a port just released.</summary>
    internal static async Task<IPEndPoint> ClosedEndPointAsync()
    {
        await using var server = LoopbackServer.AcceptAndClose();
        return server.EndPoint;
    }

    [Fact]
    public async Task TcpProbe_Listening_Healthy()
    {
        await using var server = LoopbackServer.AcceptAndClose();

        var result = await new TcpHealthProbe(new HealthCheckSpec()).ProbeAsync(BackendAt(server.EndPoint), TestContext.Current.CancellationToken).WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.True(result.IsHealthy);
        await server.WaitForAcceptedAsync(1);
    }

    [Fact]
    public async Task TcpProbe_NothingListening_Unhealthy()
    {
        var endPoint = await ClosedEndPointAsync();

        var result = await new TcpHealthProbe(new HealthCheckSpec()).ProbeAsync(BackendAt(endPoint), TestContext.Current.CancellationToken).WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.False(result.IsHealthy);
        Assert.Contains("ConnectionRefused", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TcpProbe_CheckPort_ProbesItInsteadOfBackendPort()
    {
        await using var server = LoopbackServer.AcceptAndClose();
        var backend = BackendAt(new IPEndPoint(server.EndPoint.Address, 1)); // port 1: nothing there
        var check = new HealthCheckSpec { Port = server.EndPoint.Port };

        var result = await new TcpHealthProbe(check).ProbeAsync(backend, TestContext.Current.CancellationToken).WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.True(result.IsHealthy);
    }

    [Fact]
    public async Task HttpProbe_KubeProxyWithLocalEndpoints_Healthy()
    {
        var requests = new ConcurrentQueue<string>();
        await using var server = LoopbackServer.KubeProxyHealthz(() => 2, requests);
        var backend = BackendAt(new IPEndPoint(server.EndPoint.Address, 30080));
        var check = new HealthCheckSpec { Type = HealthCheckType.Http, Port = server.EndPoint.Port, Path = "/healthz" };

        var result = await new HttpHealthProbe(check).ProbeAsync(backend, TestContext.Current.CancellationToken).WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.True(result.IsHealthy, result.Detail);
        Assert.True(requests.TryDequeue(out var request));
        Assert.StartsWith("GET /healthz HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"\r\nHost: {server.EndPoint}\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpProbe_KubeProxyWithoutLocalEndpoints_Unhealthy()
    {
        await using var server = LoopbackServer.KubeProxyHealthz(() => 0);
        var check = new HealthCheckSpec { Type = HealthCheckType.Http, Path = "/healthz" };

        var result = await new HttpHealthProbe(check).ProbeAsync(BackendAt(server.EndPoint), TestContext.Current.CancellationToken).WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.False(result.IsHealthy);
        Assert.Contains("status 503", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpProbe_Expected503_Healthy()
    {
        await using var server = LoopbackServer.KubeProxyHealthz(() => 0);
        var check = new HealthCheckSpec { Type = HealthCheckType.Http, ExpectedStatus = 503 };

        var result = await new HttpHealthProbe(check).ProbeAsync(BackendAt(server.EndPoint), TestContext.Current.CancellationToken).WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.True(result.IsHealthy, result.Detail);
    }

    [Fact]
    public async Task HttpProbe_ServerClosesWithoutAnswer_Unhealthy()
    {
        await using var server = LoopbackServer.AcceptAndClose();
        var check = new HealthCheckSpec { Type = HealthCheckType.Http };

        var result = await new HttpHealthProbe(check).ProbeAsync(BackendAt(server.EndPoint), TestContext.Current.CancellationToken).WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.False(result.IsHealthy);
    }

    [Fact]
    public async Task HttpProbe_NothingListening_Unhealthy()
    {
        var endPoint = await ClosedEndPointAsync();
        var check = new HealthCheckSpec { Type = HealthCheckType.Http };

        var result = await new HttpHealthProbe(check).ProbeAsync(BackendAt(endPoint), TestContext.Current.CancellationToken).WaitAsync(_maxWait, TestContext.Current.CancellationToken);

        Assert.False(result.IsHealthy);
    }

    [Theory]
    [InlineData("healthz")]
    [InlineData("/health z")]
    [InlineData("/healthz\r\nX-Injected: 1")]
    public void HttpProbe_InvalidPath_Throws(string path)
    {
        Assert.Throws<ArgumentException>(() => new HttpHealthProbe(new HealthCheckSpec { Type = HealthCheckType.Http, Path = path }));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", 200)]
    [InlineData("HTTP/1.0 503 Service Unavailable\r\n", 503)]
    [InlineData("HTTP/1.1 204\r\n", 204)]
    [InlineData("HTTP/1.1 200", 200)]
    [InlineData("HTTP/1.1 20", null)]
    [InlineData("HTTP/1.1 2000 OK\r\n", null)]
    [InlineData("HTTP/2 200\r\n", null)]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n", null)]
    [InlineData("", null)]
    public void ParseStatus_StatusLine_ReturnsCode(string response, int? expected)
    {
        Assert.Equal(expected, HttpHealthProbe.ParseStatus(System.Text.Encoding.ASCII.GetBytes(response)));
    }
}
