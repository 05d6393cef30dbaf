using Ferry.Announcement.Arp;

namespace Ferry.Announcement.Tests.Arp;

/// <summary>The sysctl writer against a directory laid out like /proc/sys (the real one is exercised in the namespace tests).</summary>
public sealed class ArpSysctlsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ferry-sysctl-").FullName;

    [Fact]
    public void Defaults_AreRaised_AndReported()
    {
        Write("eth0", "arp_ignore", "0");
        Write("eth0", "arp_announce", "0");

        var changes = new ArpSysctls(_root).Apply("eth0");

        Assert.Equal([("arp_ignore", 0, 1), ("arp_announce", 0, 2)], changes);
        Assert.Equal("1", Read("eth0", "arp_ignore"));
        Assert.Equal("2", Read("eth0", "arp_announce"));
    }

    [Fact]
    public void StricterValues_AreKept()
    {
        Write("eth0", "arp_ignore", "2");
        Write("eth0", "arp_announce", "2");

        Assert.Empty(new ArpSysctls(_root).Apply("eth0"));
        Assert.Equal("2", Read("eth0", "arp_ignore"));
    }

    [Fact]
    public void MissingInterface_ClearError()
    {
        var error = Assert.Throws<AnnouncementException>(() => new ArpSysctls(_root).Apply("nosuch0"));

        Assert.Contains("nosuch0", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string iface, string name, string value)
    {
        var directory = Path.Combine(_root, "net", "ipv4", "conf", iface);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name), value + "\n");
    }

    private string Read(string iface, string name) => File.ReadAllText(Path.Combine(_root, "net", "ipv4", "conf", iface, name)).Trim();
}
