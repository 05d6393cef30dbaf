using System.Net;
using Ferry.Configuration.Pools;
using Ferry.Contracts.Announcement;

namespace Ferry.Configuration.Tests.Pools;

public class AddressPoolsFileTests
{
    [Fact]
    public void Parse_FullExample_ReturnsPoolsWithEverySetting()
    {
        var result = AddressPoolsFile.Parse("""
            pools:
              - name: default
                addresses: [192.0.2.0/24, 198.51.100.10-198.51.100.20, 2001:db8::/120]
                namespaces: []
                autoAssign: true
                includeNetworkAndBroadcast: false
              - name: team-a
                addresses:
                  - 203.0.113.0/28
                namespaces: [team-a, team-b]
                autoAssign: false
                includeNetworkAndBroadcast: true
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(2, result.Pools.Count);
        var first = result.Pools[0];
        Assert.Equal("default", first.Name);
        Assert.Equal(["192.0.2.0/24", "198.51.100.10-198.51.100.20", "2001:db8::/120"], first.Ranges.Select(r => r.Text));
        Assert.True(first.AllowsNamespace("anything"));
        Assert.True(first.AutoAssign);
        Assert.False(first.CanAssign(IPAddress.Parse("192.0.2.0")));
        var second = result.Pools[1];
        Assert.False(second.AutoAssign);
        Assert.True(second.AllowsNamespace("team-b"));
        Assert.False(second.AllowsNamespace("default"));
        Assert.True(second.CanAssign(IPAddress.Parse("203.0.113.0")));
    }

    [Fact]
    public void Parse_Announce_ReadsModeAndInterfacesPerPool()
    {
        var result = AddressPoolsFile.Parse("""
            pools:
              - name: lan
                addresses: [192.0.2.0/24, 2001:db8::/120]
                announce: l2
                interfaces: [eth0, bond0]
              - name: lan-any
                addresses: [198.51.100.0/24]
                announce: l2
              - name: routed
                addresses: [203.0.113.0/24]
                announce: none
              - name: quiet
                addresses: [2001:db8:1::/120]
            """);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(["lan", "lan-any", "routed", "quiet"], result.Announcements.Select(a => a.Pool));
        Assert.Equal([AnnouncementMode.Layer2, AnnouncementMode.Layer2, AnnouncementMode.None, AnnouncementMode.None], result.Announcements.Select(a => a.Mode));
        Assert.Equal(["eth0", "bond0"], result.Announcements[0].Interfaces);
        Assert.Empty(result.Announcements[1].Interfaces);
        Assert.False(result.Announcements[3].IsAnnounced);
    }

    [Fact]
    public void Parse_OnlyRequiredKeys_UsesDefaults()
    {
        var result = AddressPoolsFile.Parse("pools:\n  - name: p\n    addresses: [10.0.0.1-10.0.0.2]\n");

        var pool = Assert.Single(result.Pools);
        Assert.True(pool.AutoAssign);
        Assert.False(pool.IncludeNetworkAndBroadcast);
        Assert.True(pool.Namespaces.IsDefaultOrEmpty);
    }

    [Theory]
    [InlineData("bad range", "pools:\n  - name: p\n    addresses: [192.0.2.0/24, 198.51.100.20-198.51.100.10]\n", "pools[0].addresses[1]: invalid range")]
    [InlineData("bad CIDR", "pools:\n  - name: p\n    addresses: [192.0.2.0/33]\n", "pools[0].addresses[0]: invalid CIDR")]
    [InlineData("mixed families", "pools:\n  - name: p\n    addresses: [192.0.2.1-2001:db8::1]\n", "pools[0].addresses[0]: invalid range")]
    [InlineData("duplicate names", "pools:\n  - name: p\n    addresses: [192.0.2.0/24]\n  - name: p\n    addresses: [198.51.100.0/24]\n", "pools[1].name: duplicate pool name \"p\"")]
    [InlineData("overlap across pools", "pools:\n  - name: a\n    addresses: [192.0.2.0/24]\n  - name: b\n    addresses: [192.0.2.100-192.0.2.110]\n", "pools[1].addresses[0]: 192.0.2.100-192.0.2.110 overlaps 192.0.2.0/24 (pools[0].addresses[0])")]
    [InlineData("overlap within a pool", "pools:\n  - name: a\n    addresses: [2001:db8::/120, 2001:db8::10-2001:db8::20]\n", "pools[0].addresses[1]: 2001:db8::10-2001:db8::20 overlaps")]
    [InlineData("unknown pool key", "pools:\n  - name: a\n    adresses: [192.0.2.0/24]\n", "pools[0].adresses: unknown key")]
    [InlineData("missing addresses", "pools:\n  - name: a\n", "pools[0].addresses: required")]
    [InlineData("empty addresses", "pools:\n  - name: a\n    addresses: []\n", "pools[0].addresses: at least one")]
    [InlineData("missing name", "pools:\n  - addresses: [192.0.2.0/24]\n", "pools[0].name: required")]
    [InlineData("bad name", "pools:\n  - name: Team_A\n    addresses: [192.0.2.0/24]\n", "pools[0].name: \"Team_A\" must be a lowercase DNS label")]
    [InlineData("bad bool", "pools:\n  - name: a\n    addresses: [192.0.2.0/24]\n    autoAssign: yes\n", "pools[0].autoAssign: must be true or false")]
    [InlineData("namespaces not a list", "pools:\n  - name: a\n    addresses: [192.0.2.0/24]\n    namespaces: default\n", "pools[0].namespaces: must be a list")]
    [InlineData("bad announce", "pools:\n  - name: a\n    addresses: [192.0.2.0/24]\n    announce: arp\n", "pools[0].announce: unsupported value \"arp\": supported values: \"none\", \"l2\"")]
    [InlineData("interfaces without announce", "pools:\n  - name: a\n    addresses: [192.0.2.0/24]\n    interfaces: [eth0]\n", "pools[0].interfaces: only a pool with \"announce: l2\" is announced on interfaces")]
    [InlineData("bad interface name", "pools:\n  - name: a\n    addresses: [192.0.2.0/24]\n    announce: l2\n    interfaces: [eth0/1]\n", "pools[0].interfaces[0]: \"eth0/1\" is not an interface name")]
    [InlineData("interface name too long", "pools:\n  - name: a\n    addresses: [192.0.2.0/24]\n    announce: l2\n    interfaces: [abcdefghijklmnop]\n", "pools[0].interfaces[0]: \"abcdefghijklmnop\" is not an interface name")]
    [InlineData("interface twice", "pools:\n  - name: a\n    addresses: [192.0.2.0/24]\n    announce: l2\n    interfaces: [eth0, eth0]\n", "pools[0].interfaces[1]: interface \"eth0\" is listed twice")]
    [InlineData("unknown root key", "pool:\n  - name: a\n", "pool: unknown key")]
    [InlineData("pools not a list", "pools: 192.0.2.0/24\n", "pools: must be a list")]
    [InlineData("empty file", "", "the file must be a mapping")]
    [InlineData("invalid YAML", "pools: [\n", "invalid YAML")]
    public void Parse_BadFile_ReportsErrorWithPath(string description, string yaml, string expected)
    {
        var result = AddressPoolsFile.Parse(yaml);

        Assert.False(result.IsValid, description);
        Assert.Empty(result.Pools);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NoPools_IsValid_ThePoolsComeFromObjects()
    {
        var result = AddressPoolsFile.Parse("pools: []\n");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Empty(result.Pools);
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsThemAll()
    {
        var result = AddressPoolsFile.Parse("pools:\n  - name: a\n    addresses: [nope, 192.0.2.0/24]\n  - name: b\n    addresses: [192.0.2.5]\n    autoAssign: 1\n");

        Assert.Contains(result.Errors, e => e.StartsWith("pools[0].addresses[0]:", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("pools[1].addresses[0]:", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("pools[1].autoAssign:", StringComparison.Ordinal));
    }
}
