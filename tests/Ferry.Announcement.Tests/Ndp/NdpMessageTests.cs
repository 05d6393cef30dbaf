using System.Net;
using System.Net.NetworkInformation;
using Ferry.Announcement.Ndp;

namespace Ferry.Announcement.Tests.Ndp;

public class NdpMessageTests
{
    private static readonly PhysicalAddress _mac = PhysicalAddress.Parse("02-00-00-00-00-0a");
    private static readonly IPAddress _vip = IPAddress.Parse("2001:db8::50");
    private static readonly byte[] _vipBytes = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50];

    [Fact]
    public void SolicitedAdvertisement_HasSAndOFlagsAndTargetLinkLayerOption()
    {
        var bytes = NdpMessage.Advertisement(_vip, _mac, solicited: true).Encode();

        byte[] expected = [136, 0, 0, 0, 0x60, 0, 0, 0, .. _vipBytes, 2, 1, 2, 0, 0, 0, 0, 0x0a];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void UnsolicitedAdvertisement_HasOnlyTheOverrideFlag()
    {
        Assert.Equal(0x20, NdpMessage.Advertisement(_vip, _mac, solicited: false).Encode()[4]);
    }

    [Fact]
    public void Solicitation_CarriesSourceLinkLayerOption_AndRoundTrips()
    {
        var bytes = NdpMessage.Solicitation(_vip, _mac).Encode();

        byte[] expected = [135, 0, 0, 0, 0, 0, 0, 0, .. _vipBytes, 1, 1, 2, 0, 0, 0, 0, 0x0a];
        Assert.Equal(expected, bytes);
        Assert.Equal(NdpMessage.Solicitation(_vip, _mac), NdpMessage.Decode(bytes));
    }

    [Fact]
    public void SolicitedNodeGroup_TakesTheLow24Bits()
    {
        Assert.Equal(IPAddress.Parse("ff02::1:ffab:cdef"), NdpMessage.SolicitedNodeGroup(IPAddress.Parse("2001:db8::12:34ab:cdef")));
    }

    [Fact]
    public void Decode_RejectsOtherTypesNonZeroCodeAndZeroLengthOptions()
    {
        var bytes = NdpMessage.Solicitation(_vip, _mac).Encode();
        var echo = (byte[])bytes.Clone();
        echo[0] = 128;
        var code = (byte[])bytes.Clone();
        code[1] = 1;
        var zeroLength = (byte[])bytes.Clone();
        zeroLength[25] = 0;

        Assert.Null(NdpMessage.Decode(echo));
        Assert.Null(NdpMessage.Decode(code));
        Assert.Null(NdpMessage.Decode(zeroLength));
    }
}
