using System.Net;
using System.Text;
using Ferry.Contracts;
using Ferry.DataPlane.Forwarding;

namespace Ferry.DataPlane.Tests.Forwarding;

public class ProxyProtocolHeaderTests
{
    private static readonly byte[] _signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    [Theory]
    [InlineData("192.168.0.1", 56324, "192.168.0.11", 443, "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n")]
    [InlineData("2001:db8::1", 1, "2001:db8::2", 65535, "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n")]
    [InlineData("::ffff:10.0.0.1", 5000, "::ffff:10.0.0.2", 80, "PROXY TCP4 10.0.0.1 10.0.0.2 5000 80\r\n")]
    [InlineData("10.0.0.1", 5000, "2001:db8::2", 80, "PROXY TCP6 ::ffff:10.0.0.1 2001:db8::2 5000 80\r\n")]
    public void CreateV1_Endpoints_MatchesSpecText(string source, int sourcePort, string destination, int destinationPort, string expected)
    {
        var header = ProxyProtocolHeader.CreateV1(new IPEndPoint(IPAddress.Parse(source), sourcePort), new IPEndPoint(IPAddress.Parse(destination), destinationPort));

        Assert.Equal(expected, Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void CreateV2_Tcp4_MatchesSpecBytes()
    {
        var header = ProxyProtocolHeader.CreateV2(TransportProtocol.Tcp, new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56324), new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443));

        Assert.Equal([.. _signature, 0x21, 0x11, 0x00, 0x0C, 192, 168, 0, 1, 192, 168, 0, 11, 0xDC, 0x04, 0x01, 0xBB], header);
    }

    [Theory]
    [InlineData(TransportProtocol.Tcp, 0x21)]
    [InlineData(TransportProtocol.Udp, 0x22)]
    public void CreateV2_Ipv6_MatchesSpecBytes(TransportProtocol protocol, byte family)
    {
        var source = IPAddress.Parse("2001:db8::1");
        var destination = IPAddress.Parse("2001:db8::2");

        var header = ProxyProtocolHeader.CreateV2(protocol, new IPEndPoint(source, 0x1234), new IPEndPoint(destination, 0x0050));

        Assert.Equal([.. _signature, 0x21, family, 0x00, 0x24, .. source.GetAddressBytes(), .. destination.GetAddressBytes(), 0x12, 0x34, 0x00, 0x50], header);
        Assert.Equal(ProxyProtocolHeader.MaxV2Length, header.Length);
    }

    [Fact]
    public void CreateV2_Udp4_UsesUdpFamily()
    {
        var header = ProxyProtocolHeader.CreateV2(TransportProtocol.Udp, new IPEndPoint(IPAddress.Parse("10.1.2.3"), 53), new IPEndPoint(IPAddress.Parse("10.9.9.9"), 5353));

        Assert.Equal([.. _signature, 0x21, 0x12, 0x00, 0x0C, 10, 1, 2, 3, 10, 9, 9, 9, 0x00, 0x35, 0x14, 0xE9], header);
    }

    [Fact]
    public void Create_V1ForUdp_Throws()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => ProxyProtocolHeader.Create(ProxyProtocolVersion.V1, TransportProtocol.Udp, endPoint, endPoint));
    }
}
