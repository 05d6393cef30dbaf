using System.Net;

namespace Ferry.Lab.Tests;

/// <summary>The parsers of the tools' output, on output captured from the real tools (these run anywhere).</summary>
public sealed class ToolOutputTests
{
    [Fact]
    public void ParseArping_CountsUnicastRepliesPerMac()
    {
        const string output = """
            ARPING 192.0.2.12 from 192.0.2.11 eth0
            Unicast reply from 192.0.2.12 [A6:2C:77:2A:B0:E1]  0.553ms
            Unicast reply from 192.0.2.12 [02:00:00:00:00:13]  0.601ms
            Unicast reply from 192.0.2.12 [A6:2C:77:2A:B0:E1]  0.571ms
            Sent 2 probes (2 broadcast(s))
            Received 3 response(s)
            """;

        var replies = ToolOutput.ParseArping(output);

        Assert.Equal(["a6:2c:77:2a:b0:e1 x2", "02:00:00:00:00:13 x1"], replies.Select(r => r.ToString()));
        Assert.Empty(ToolOutput.ParseArping("ARPING 192.0.2.99 from 192.0.2.11 eth0\nSent 1 probes (1 broadcast(s))\nReceived 0 response(s)\n"));
    }

    [Fact]
    public void ParseNdisc6_ReadsTheTargetLinkLayerAddresses()
    {
        const string output = "Soliciting 2001:db8::12 (2001:db8::12) on eth0...\nTarget link-layer address: A6:2C:77:2A:B0:E1\n from 2001:db8::12\n";

        var reply = Assert.Single(ToolOutput.ParseNdisc6(output));

        Assert.Equal(LinkLayerText.Parse("a6:2c:77:2a:b0:e1"), reply.Mac);
        Assert.Empty(ToolOutput.ParseNdisc6("Soliciting 2001:db8::99 (2001:db8::99) on eth0...\nTimed out.\nNo response.\n"));
    }

    [Fact]
    public void ParseNeighbours_ReadsAddressMacAndState()
    {
        var entry = Assert.Single(ToolOutput.ParseNeighbours("""[{"dst":"192.0.2.12","dev":"eth0","lladdr":"a6:2c:77:2a:b0:e1","state":["REACHABLE"]}]"""));

        Assert.Equal(IPAddress.Parse("192.0.2.12"), entry.Address);
        Assert.Equal("eth0", entry.Device);
        Assert.Equal("a6:2c:77:2a:b0:e1", LinkLayerText.Format(entry.Mac!));
        Assert.Equal(["REACHABLE"], entry.States);
        Assert.Null(Assert.Single(ToolOutput.ParseNeighbours("""[{"dst":"192.0.2.99","dev":"eth0","state":["FAILED"]}]""")).Mac);
        Assert.Empty(ToolOutput.ParseNeighbours("[]"));
        Assert.Empty(ToolOutput.ParseNeighbours(""));
    }

    [Fact]
    public void ParseAddresses_ReadsEveryAddressWithPrefixAndScope()
    {
        const string json = """[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet","local":"192.0.2.11","prefixlen":24,"scope":"global"},{"family":"inet6","local":"2001:db8::11","prefixlen":64,"scope":"global","nodad":true},{"family":"inet6","local":"fe80::a050:47ff:fe73:64d5","prefixlen":64,"scope":"link"}]}]""";

        var addresses = ToolOutput.ParseAddresses(json);

        Assert.Equal(["192.0.2.11/24 scope global", "2001:db8::11/64 scope global", "fe80::a050:47ff:fe73:64d5/64 scope link"], addresses.Select(a => a.ToString()));
    }
}
