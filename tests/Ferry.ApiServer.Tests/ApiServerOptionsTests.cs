using System.Net;

namespace Ferry.ApiServer.Tests;

public class ApiServerOptionsTests
{
    [Fact]
    public void Listen_Default_IsLoopback6443()
    {
        var options = new ApiServerOptions { DataDirectory = "/tmp/x" };
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6443), options.Listen);
    }
}
