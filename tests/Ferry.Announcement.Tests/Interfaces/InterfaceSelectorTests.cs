using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using Ferry.Announcement.Interfaces;

namespace Ferry.Announcement.Tests.Interfaces;

public class InterfaceSelectorTests
{
    private static readonly LinkInterface _lan = Link("eth0", 2, "192.0.2.1/24", "2001:db8::1/64");
    private static readonly LinkInterface _uplink = Link("eth1", 3, "198.51.100.1/24", v4Default: true);
    private static readonly LinkInterface _down = Link("eth2", 4, "203.0.113.1/24", up: false);
    private static readonly LinkInterface _loopback = new("lo", 1, true, PhysicalAddress.None, [new(IPAddress.Loopback, 8)], false, false);
    private static readonly LinkInterface[] _all = [_loopback, _lan, _uplink, _down];

    [Fact]
    public void NoNames_SubnetHoldingTheAddress_Wins()
    {
        Assert.Equal(["eth0"], Names(InterfaceSelector.Choose(IPAddress.Parse("192.0.2.50"), [], _all, "ferry0")));
        Assert.Equal(["eth0"], Names(InterfaceSelector.Choose(IPAddress.Parse("2001:db8::50"), [], _all, "ferry0")));
    }

    [Fact]
    public void NoNames_NoSubnet_DefaultRouteOfTheFamily()
    {
        Assert.Equal(["eth1"], Names(InterfaceSelector.Choose(IPAddress.Parse("203.0.113.9"), [], [_lan, _uplink], "ferry0")));
    }

    [Fact]
    public void NoNames_NoSubnetNoDefaultRoute_ClearError()
    {
        var choice = InterfaceSelector.Choose(IPAddress.Parse("203.0.113.9"), [], [_loopback, _lan], "ferry0");

        Assert.Empty(choice.Interfaces);
        Assert.Equal("no interface's subnet holds 203.0.113.9 and there is no IPv4 default route; name the interface", choice.Error);
    }

    [Fact]
    public void NoNames_Ipv6WithoutIpv6DefaultRoute_IsAnError()
    {
        var choice = InterfaceSelector.Choose(IPAddress.Parse("2001:db8:1::9"), [], _all, "ferry0");

        Assert.Contains("no IPv6 default route", choice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoNames_TheDeviceAndDownInterfacesAreNeverChosen()
    {
        var device = Link("ferry0", 9, "203.0.113.50/32");

        var choice = InterfaceSelector.Choose(IPAddress.Parse("203.0.113.50"), [], [device, _down, _uplink], "ferry0");

        Assert.Equal(["eth1"], Names(choice));
    }

    [Fact]
    public void Names_AreTakenAsGiven()
    {
        Assert.Equal(["eth1", "eth0"], Names(InterfaceSelector.Choose(IPAddress.Parse("192.0.2.50"), ["eth1", "eth0"], _all, "ferry0")));
    }

    [Theory]
    [InlineData("nosuch0", "interface nosuch0 does not exist")]
    [InlineData("eth2", "interface eth2 is down")]
    [InlineData("lo", "interface lo has no MAC address to answer ARP or neighbour solicitations from")]
    public void Names_MissingDownOrWithoutMac_ClearError(string name, string error)
    {
        var choice = InterfaceSelector.Choose(IPAddress.Parse("192.0.2.50"), ["eth0", name], _all, "ferry0");

        Assert.Empty(choice.Interfaces);
        Assert.Equal(error, choice.Error);
    }

    [Fact]
    public void SubnetContains_ComparesOnlyThePrefix()
    {
        var address = new InterfaceAddress(IPAddress.Parse("192.0.2.130"), 25);

        Assert.True(address.SubnetContains(IPAddress.Parse("192.0.2.200")));
        Assert.False(address.SubnetContains(IPAddress.Parse("192.0.2.100")));
        Assert.False(address.SubnetContains(IPAddress.Parse("2001:db8::1")));
    }

    private static ImmutableArray<string> Names(InterfaceChoice choice)
    {
        Assert.Null(choice.Error);
        return [.. choice.Interfaces.Select(i => i.Name)];
    }

    private static LinkInterface Link(string name, int index, string v4, string? v6 = null, bool up = true, bool v4Default = false)
    {
        var addresses = new[] { v4, v6 }.OfType<string>()
            .Select(cidr => new InterfaceAddress(IPAddress.Parse(cidr.Split('/')[0]), int.Parse(cidr.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToImmutableArray();
        return new LinkInterface(name, index, up, PhysicalAddress.Parse($"02-00-00-00-00-{index:x2}"), addresses, v4Default, false);
    }
}
