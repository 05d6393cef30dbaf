using Ferry.Hosting.Status;

namespace Ferry.Hosting.Tests.Status;

/// <summary>The <c>ferry status</c> table: kubectl-like columns that fit 80 columns, whatever the names.</summary>
public sealed class StatusTableTests
{
    private static LoadBalancerEntry Entry(string service, string[] addresses, string? node = null, bool serving = true) =>
        new(service, addresses, ["80/TCP", "53/UDP"], Ferry.DataPlane.Stats.ListenerStats.UserspacePlane, node, serving, 2, 3, 7, 1536, 5 * 1024 * 1024);

    [Fact]
    public void Render_AlignsColumns_ShowsFirstValueAndHowManyMore_AndShortBytes()
    {
        var document = new StatusDocument("up", null, [Entry("default/web", ["192.0.2.10", "2001:db8::10"])], [new PoolEntry("lan", ["192.0.2.0/24"], 254, 1, 253)]);

        var lines = StatusTable.Render(document).Split('\n');

        Assert.Equal("SERVICE      ADDRESS        PORTS      BACKENDS  CONNS  IN     OUT", lines[0]);
        Assert.Equal("default/web  192.0.2.10 +1  80/TCP +1  2/3       7      1.5Ki  5Mi", lines[1]);
        Assert.Equal(string.Empty, lines[2]);
        Assert.Equal("POOL  ADDRESSES     CAPACITY  ALLOCATED  FREE", lines[3]);
        Assert.Equal("lan   192.0.2.0/24  254       1          253", lines[4]);
    }

    [Fact]
    public void Render_LongNames_AreCutToFitEightyColumns_AndTheNodeColumnAppearsForReplicas()
    {
        var document = new StatusDocument(
            "run",
            "node-a",
            [Entry("a-namespace-with-a-very-long-name/and-a-service-with-an-even-longer-name", ["2001:db8:1234:5678:9abc:def0:1234:5678"], "node-a", serving: false)],
            [],
            "Pools: the leader allocates addresses; ask its admin endpoint.");

        var text = StatusTable.Render(document);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.All(lines, line => Assert.True(line.Length <= StatusTable.Width, line));
        Assert.StartsWith("SERVICE", lines[0], StringComparison.Ordinal);
        Assert.Contains("NODE", lines[0], StringComparison.Ordinal);
        Assert.Contains("~", lines[1], StringComparison.Ordinal);
        Assert.Contains("node-a", lines[1], StringComparison.Ordinal);
        Assert.Equal("Pools: the leader allocates addresses; ask its admin endpoint.", lines[2]);
    }

    [Fact]
    public void Render_NothingServed_SaysSo()
    {
        var text = StatusTable.Render(new StatusDocument("up", null, [], [new PoolEntry("v6", ["2001:db8::/64"], long.MaxValue, 0, long.MaxValue)]));

        Assert.StartsWith("No load balancers.", text, StringComparison.Ordinal);
        Assert.Contains("v6    2001:db8::/64  many      0          many", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1023, "1023")]
    [InlineData(1024, "1Ki")]
    [InlineData(1536, "1.5Ki")]
    [InlineData(10 * 1024 * 1024, "10Mi")]
    public void Bytes_AreShortBinaryUnits(long bytes, string text) => Assert.Equal(text, StatusTable.Bytes(bytes));
}
