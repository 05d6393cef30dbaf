using System.Net;
using Ferry.Announcement.Netlink;

namespace Ferry.Announcement.Tests.Netlink;

/// <summary>The rtnetlink messages against bytes checked by hand from linux/netlink.h, linux/if_addr.h and linux/if_link.h.</summary>
public class NetlinkCodecTests
{
    [Fact]
    public void AddHostAddress_Ipv4_IsHeaderIfaddrmsgLocalAndAddress()
    {
        var bytes = NetlinkCodec.Encode(RouteMessages.AddHostAddress(7, 5, IPAddress.Parse("192.0.2.50")));

        byte[] expected =
        [
            40, 0, 0, 0, 20, 0, 0x05, 0x05, 7, 0, 0, 0, 0, 0, 0, 0, // nlmsghdr: len 40, RTM_NEWADDR, REQUEST|ACK|REPLACE|CREATE, seq 7
            2, 32, 0, 0, 5, 0, 0, 0,                                // ifaddrmsg: AF_INET, /32, no flags, scope universe, index 5
            8, 0, 2, 0, 192, 0, 2, 50,                              // IFA_LOCAL
            8, 0, 1, 0, 192, 0, 2, 50,                              // IFA_ADDRESS
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void AddHostAddress_Ipv6_IsSlash128WithNoDad()
    {
        var bytes = NetlinkCodec.Encode(RouteMessages.AddHostAddress(1, 5, IPAddress.Parse("2001:db8::50")));

        byte[] address = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50];
        byte[] expected =
        [
            72, 0, 0, 0, 20, 0, 0x05, 0x05, 1, 0, 0, 0, 0, 0, 0, 0,
            10, 128, 0x02, 0, 5, 0, 0, 0,        // AF_INET6, /128, IFA_F_NODAD
            20, 0, 2, 0, .. address,             // IFA_LOCAL
            20, 0, 1, 0, .. address,             // IFA_ADDRESS
            8, 0, 8, 0, 0x02, 0, 0, 0,           // IFA_FLAGS = IFA_F_NODAD
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void CreateLink_Dummy_NestsTheKindInLinkInfoWithPadding()
    {
        var bytes = NetlinkCodec.Encode(RouteMessages.CreateLink(3, "ferry0", "dummy"));

        byte[] expected =
        [
            60, 0, 0, 0, 16, 0, 0x05, 0x06, 3, 0, 0, 0, 0, 0, 0, 0, // RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,        // ifinfomsg
            11, 0, 3, 0, (byte)'f', (byte)'e', (byte)'r', (byte)'r', (byte)'y', (byte)'0', 0, 0, // IFLA_IFNAME + 1 pad
            16, 0, 18, 0,                                          // IFLA_LINKINFO
            10, 0, 1, 0, (byte)'d', (byte)'u', (byte)'m', (byte)'m', (byte)'y', 0, 0, 0, // IFLA_INFO_KIND + 2 pad
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void SetLinkUp_SetsAndChangesIffUp()
    {
        var bytes = NetlinkCodec.Encode(RouteMessages.SetLinkUp(2, 9));

        byte[] expected =
        [
            32, 0, 0, 0, 16, 0, 0x05, 0x00, 2, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, // index 9, flags IFF_UP, change IFF_UP
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Decode_ErrorAndDone_InOneDatagram()
    {
        byte[] datagram =
        [
            36, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0x10, 0, 0, 0, // NLMSG_ERROR, seq 4, port 16
            0xff, 0xff, 0xff, 0xff,                             // error -1 (EPERM)
            16, 0, 0, 0, 16, 0, 5, 6, 4, 0, 0, 0, 0, 0, 0, 0, // the request's header
            20, 0, 0, 0, 3, 0, 2, 0, 4, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, // NLMSG_DONE, MULTI
        ];

        var messages = NetlinkCodec.Decode(datagram);

        Assert.Equal(2, messages.Count);
        Assert.Equal(1, RouteMessages.ParseError(messages[0]));
        Assert.Equal(4u, messages[0].Sequence);
        Assert.Equal(RouteMessages.Done, messages[1].Type);
    }

    [Fact]
    public void Decode_TruncatedMessage_Throws()
    {
        byte[] datagram = [40, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2];

        Assert.Throws<FormatException>(() => NetlinkCodec.Decode(datagram));
    }

    [Fact]
    public void ParseAddress_PrefersLocalOverAddressAndSkipsOtherAttributes()
    {
        byte[] payload =
        [
            2, 24, 0x80, 0, 9, 0, 0, 0,                     // AF_INET /24 permanent, index 9
            8, 0, 1, 0, 192, 0, 2, 255,                     // IFA_ADDRESS (a peer address here)
            8, 0, 2, 0, 192, 0, 2, 1,                       // IFA_LOCAL
            9, 0, 3, 0, (byte)'e', (byte)'t', (byte)'h', (byte)'0', 0, 0, 0, 0, // IFA_LABEL
        ];

        var address = RouteMessages.ParseAddress(new NetlinkMessage(RouteMessages.NewAddress, 2, 1, 0, payload));

        Assert.Equal(new LinkAddress(9, IPAddress.Parse("192.0.2.1"), 24), address);
    }

    [Fact]
    public void ParseLink_ReadsIndexAndName()
    {
        byte[] payload = [0, 0, 1, 0, 4, 0, 0, 0, 0x43, 0x10, 0, 0, 0, 0, 0, 0, 11, 0, 3, 0, (byte)'f', (byte)'e', (byte)'r', (byte)'r', (byte)'y', (byte)'0', 0, 0];

        var (index, name) = RouteMessages.ParseLink(new NetlinkMessage(RouteMessages.NewLink, 0, 1, 0, payload));

        Assert.Equal(4, index);
        Assert.Equal("ferry0", name);
    }

    [Fact]
    public void DeleteLinkAddress_KeepsTheReportedPrefixLength()
    {
        var bytes = NetlinkCodec.Encode(RouteMessages.DeleteLinkAddress(1, new LinkAddress(9, IPAddress.Parse("192.0.2.1"), 24)));

        Assert.Equal(RouteMessages.DeleteAddress, BitConverter.ToUInt16(bytes, 4));
        Assert.Equal([2, 24, 0, 0, 9, 0, 0, 0], bytes[16..24]);
        Assert.Equal(40, bytes.Length); // header, ifaddrmsg, IFA_LOCAL, IFA_ADDRESS: no IFA_FLAGS on a delete
    }
}
