using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Forwarding;

namespace Ferry.DataPlane.Tests.Forwarding;

public class ListenerSettingsTests
{
    [Theory]
    [InlineData("", "203.0.113.7", true)]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "11.1.2.3", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("10.0.0.0/8,2001:db8::/32", "2001:db8::1", true)]
    [InlineData("10.0.0.0/8", "2001:db8::1", false)]
    [InlineData("127.0.0.2/32", "127.0.0.3", false)]
    public void IsAllowed_ClientAndRanges_MatchesCidrs(string ranges, string client, bool expected)
    {
        var settings = new ListenerSettings(
            new RoundRobinPolicy(),
            ranges.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IPNetwork.Parse).ToEquatableArray(),
            ProxyProtocolVersion.None,
            TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1),
            1);

        Assert.Equal(expected, settings.IsAllowed(IPAddress.Parse(client)));
    }

    [Theory]
    [InlineData(TransportProtocol.Tcp, 350)]
    [InlineData(TransportProtocol.Udp, 120)]
    public void For_Protocol_TakesItsIdleTimeout(TransportProtocol protocol, int seconds)
    {
        var settings = ListenerSettings.For(new LoadBalancerSettings(), protocol, new RoundRobinPolicy());

        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.IdleTimeout);
    }
}
