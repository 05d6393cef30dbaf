using System.Net;
using Ferry.Contracts.Addressing;

namespace Ferry.Contracts.Tests.Addressing;

/// <summary>Ferry.Contracts' address parser (here until Ferry.Contracts has a test project of its own).</summary>
public class NetworkTextTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("010.1.1.1", "10.1.1.1")]
    [InlineData("::1", "::1")]
    [InlineData("2001:db8::ffff", "2001:db8::ffff")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    public void TryParseAddress_Valid_Reads(string text, string expected)
    {
        Assert.True(NetworkText.TryParseAddress(text, out var address));
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("127.1")]
    [InlineData("1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("1.2.3.256")]
    [InlineData("1.2.3.0004")]
    [InlineData("1.2.3.+4")]
    [InlineData(" 1.2.3.4")]
    [InlineData("fe80::1%1")]
    [InlineData("localhost")]
    public void TryParseAddress_ShorthandNamesZonesAndJunk_AreRejected(string? text) =>
        Assert.False(NetworkText.TryParseAddress(text, out _));

    [Fact]
    public void TryParseCidr_KeepsHostBits_TryParseNetwork_MasksThem()
    {
        Assert.True(NetworkText.TryParseCidr("192.0.2.7/24", out var address, out var prefix));
        Assert.Equal((IPAddress.Parse("192.0.2.7"), 24), (address, prefix));
        Assert.True(NetworkText.TryParseNetwork("192.0.2.7/24", out var network));
        Assert.Equal(IPNetwork.Parse("192.0.2.0/24"), network);
        Assert.True(NetworkText.TryParseNetwork("2001:db8::1/32", out var v6));
        Assert.Equal(IPNetwork.Parse("2001:db8::/32"), v6);
    }

    [Theory]
    [InlineData("192.0.2.0")]
    [InlineData("192.0.2.0/33")]
    [InlineData("192.0.2.0/")]
    [InlineData("192.0.2.0/0024")]
    [InlineData("10.1/8")]
    [InlineData("::/129")]
    public void TryParseCidr_Bad_IsRejected(string text) =>
        Assert.False(NetworkText.TryParseCidr(text, out _, out _));

    [Fact]
    public void TryParseRange_TwoAddresses_SpacesAllowed()
    {
        Assert.True(NetworkText.TryParseRange(" 192.0.2.1 - 192.0.2.9 ", out var first, out var last));
        Assert.Equal((IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.9")), (first, last));
        Assert.False(NetworkText.TryParseRange("192.0.2.1-", out _, out _));
        Assert.False(NetworkText.TryParseRange("192.0.2.1", out _, out _));
    }

    [Theory]
    [InlineData("127.0.0.1:6443", "127.0.0.1:6443")]
    [InlineData("[::1]:7443", "[::1]:7443")]
    [InlineData("0.0.0.0:0", "0.0.0.0:0")]
    [InlineData("6443", "127.0.0.1:6443")]
    [InlineData(":8443", "127.0.0.1:8443")]
    public void TryParseEndpoint_Valid_Reads(string text, string expected)
    {
        Assert.True(NetworkText.TryParseEndpoint(text, IPAddress.Loopback, out var endpoint));
        Assert.Equal(IPEndPoint.Parse(expected), endpoint);
    }

    [Theory]
    [InlineData("6443")]
    [InlineData("::1:80")]
    [InlineData("[127.0.0.1]:80")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("localhost:80")]
    [InlineData("127.1:80")]
    public void TryParseEndpoint_Bad_IsRejected(string text) =>
        Assert.False(NetworkText.TryParseEndpoint(text, defaultAddress: null, out _));
}
