using System.Net;
using System.Net.NetworkInformation;
using Ferry.Announcement.Arp;

namespace Ferry.Announcement.Tests.Arp;

public class ArpFrameTests
{
    private static readonly PhysicalAddress _own = PhysicalAddress.Parse("02-00-00-00-00-0a");
    private static readonly PhysicalAddress _other = PhysicalAddress.Parse("02-00-00-00-00-0b");
    private static readonly IPAddress _vip = IPAddress.Parse("192.0.2.50");

    [Fact]
    public void GratuitousRequest_IsBroadcastWithSenderAndTargetTheAddress()
    {
        var bytes = ArpFrame.GratuitousRequest(_own, _vip).Encode();

        byte[] expected =
        [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0x0a, 0x08, 0x06, // Ethernet: broadcast, from us, ARP
            0, 1, 0x08, 0x00, 6, 4, 0, 1,                                       // Ethernet/IPv4, request
            2, 0, 0, 0, 0, 0x0a, 192, 0, 2, 50,                                 // sender: us, the address
            0, 0, 0, 0, 0, 0, 192, 0, 2, 50,                                    // target: zero MAC, the address
        ];
        Assert.Equal(60, bytes.Length);
        Assert.Equal(expected, bytes[..42]);
        Assert.All(bytes[42..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Probe_HasSenderAddressZero()
    {
        var frame = ArpFrame.Decode(ArpFrame.Probe(_own, _vip).Encode())!;

        Assert.True(frame.IsProbe);
        Assert.Equal(IPAddress.Any, frame.SenderIp);
        Assert.Equal(_vip, frame.TargetIp);
    }

    [Fact]
    public void ReplyTo_Request_IsUnicastToTheAsker()
    {
        var request = new ArpFrame(ArpFrame.Broadcast, _other, ArpOperation.Request, _other, IPAddress.Parse("192.0.2.2"), ArpFrame.Zero, _vip);

        var reply = ArpFrame.Decode(ArpFrame.ReplyTo(ArpFrame.Decode(request.Encode())!, _own, _vip).Encode())!;

        Assert.Equal(new ArpFrame(_other, _own, ArpOperation.Reply, _own, _vip, _other, IPAddress.Parse("192.0.2.2")), reply);
    }

    [Fact]
    public void Decode_IgnoresOtherEtherTypesAndShortFrames()
    {
        var bytes = ArpFrame.GratuitousReply(_own, _vip).Encode();
        bytes[13] = 0x00; // IPv4, not ARP

        Assert.Null(ArpFrame.Decode(bytes));
        Assert.Null(ArpFrame.Decode(bytes.AsSpan(0, 30)));
    }

    [Theory]
    [InlineData("reply-from-other", true)]
    [InlineData("probe-from-other", true)]
    [InlineData("request-for-it-from-other", false)]
    [InlineData("own-announcement", false)]
    public void ShowsOtherHostUsing_FollowsRfc5227(string frameKind, bool conflict)
    {
        var frame = frameKind switch
        {
            "reply-from-other" => new ArpFrame(_own, _other, ArpOperation.Reply, _other, _vip, _own, IPAddress.Any),
            "probe-from-other" => ArpFrame.Probe(_other, _vip),
            "request-for-it-from-other" => new ArpFrame(ArpFrame.Broadcast, _other, ArpOperation.Request, _other, IPAddress.Parse("192.0.2.2"), ArpFrame.Zero, _vip),
            _ => ArpFrame.GratuitousRequest(_own, _vip),
        };

        Assert.Equal(conflict, frame.ShowsOtherHostUsing(_vip, _own));
    }
}
