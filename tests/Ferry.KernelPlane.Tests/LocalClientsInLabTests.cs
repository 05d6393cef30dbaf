using System.Net;

namespace Ferry.KernelPlane.Tests;

/// <summary>Clients on the balancer's own host (<c>ferry up</c>'s 127.x VIPs): the output hook serves them (root only).</summary>
public partial class KernelForwardingInLabTests
{
    [Fact]
    public async Task LocalClients_ALoopbackVipToALoopbackBackend_IsServed()
    {
        var setup = await StartAsync(_vip + "/32");
        await using var lab = setup.Lab;
        var balancer = setup.Balancer;
        var local = lab.Track(NetnsLab.Run(balancer, () => new GreetingBackend(new IPEndPoint(IPAddress.Loopback, 8090), "local")));
        await using var provider = Provider(balancer);
        var vip = IPAddress.Parse("127.0.0.10");

        await provider.EnsureAsync(Spec(vip, "up", local.EndPoint), Ct);

        // Nothing listens on the VIP: only the output hook's DNAT can answer.
        Assert.Equal("local", await ReadAsync(balancer, TimeSpan.FromSeconds(3), vip));
        Assert.Equal("local", await ReadAsync(balancer, TimeSpan.FromSeconds(3), vip));
    }
}
