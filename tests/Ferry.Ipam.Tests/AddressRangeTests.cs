using System.Net;

namespace Ferry.Ipam.Tests;

public class AddressRangeTests
{
    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.0", "192.0.2.255", true)]
    [InlineData("198.51.100.10-198.51.100.20", "198.51.100.10", "198.51.100.20", false)]
    [InlineData(" 203.0.113.7 - 203.0.113.7 ", "203.0.113.7", "203.0.113.7", false)]
    [InlineData("2001:db8::/120", "2001:db8::", "2001:db8::ff", true)]
    [InlineData("2001:db8::/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", true)]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255", true)]
    public void Parse_ValidText_HasBounds(string text, string first, string last, bool isCidr)
    {
        var range = AddressRange.Parse(text);
        Assert.Equal(IPAddress.Parse(first), range.First);
        Assert.Equal(IPAddress.Parse(last), range.Last);
        Assert.Equal(isCidr, range.IsCidr);
    }

    [Theory]
    [InlineData("192.0.2.0/33", "invalid CIDR")]
    [InlineData("192.0.2.300/24", "invalid CIDR")]
    [InlineData("banana", "invalid CIDR")]
    [InlineData("192.0.2.20-192.0.2.10", "first address is after the last")]
    [InlineData("192.0.2.1-2001:db8::1", "same IP family")]
    [InlineData("192.0.2.1-", "expected two IP addresses")]
    public void TryParse_BadText_ExplainsWhy(string text, string expected)
    {
        Assert.False(AddressRange.TryParse(text, out var range, out var error));
        Assert.Null(range);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Size_FullIpv6Space_Saturates()
    {
        Assert.Equal(UInt128.MaxValue, AddressRange.Parse("::/0").Size);
        Assert.Equal((UInt128)256, AddressRange.Parse("192.0.2.0/24").Size);
    }
}
