using Ferry.Announcement.Interfaces;

namespace Ferry.Announcement.Tests.Interfaces;

public class DefaultRouteTableTests
{
    [Fact]
    public void Ipv4_DefaultRouteIsDestinationAndMaskZero()
    {
        const string route = """
            Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
            eth0	00000000	010200C0	0003	0	0	0	00000000	0	0	0
            eth0	000200C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
            eth1	00000000	00000000	0201	0	0	0	00000000	0	0	0
            """;

        Assert.Equal(["eth0"], DefaultRouteTable.Ipv4(route));
    }

    [Fact]
    public void Ipv6_DefaultRouteIsColonColonSlashZero_NotOnLoOrRejecting()
    {
        const string route = """
            20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 20010db8000000000000000000000001 00000400 00000001 00000000 00000003     eth0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
            """;

        Assert.Equal(["eth0"], DefaultRouteTable.Ipv6(route));
    }
}
