using System.Net;

namespace Ferry.Hosting.Tests;

public class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:6443", "127.0.0.1:6443")]
    [InlineData("0.0.0.0:0", "0.0.0.0:0")]
    [InlineData("[::1]:7443", "[::1]:7443")]
    [InlineData("6443", "127.0.0.1:6443")]
    [InlineData(":8443", "127.0.0.1:8443")]
    [InlineData(" 127.0.0.2:1 ", "127.0.0.2:1")]
    public void Parse_Valid_ReturnsEndpoint(string text, string expected) =>
        Assert.Equal(IPEndPoint.Parse(expected), ListenAddress.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("localhost:6443")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("::1")]
    public void Parse_Invalid_Throws(string text) =>
        Assert.Throws<FormatException>(() => ListenAddress.Parse(text));
}
