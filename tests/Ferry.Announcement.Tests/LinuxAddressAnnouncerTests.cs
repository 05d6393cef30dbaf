using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Announcement.Tests;

/// <summary>What the announcer checks before touching the system (no namespace needed).</summary>
public class LinuxAddressAnnouncerTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a-name-too-long-x")]
    [InlineData("ferry/0")]
    public void Constructor_BadDeviceName_IsRejected(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => Create(new AnnouncerOptions { DeviceName = name }));

        Assert.Contains("not a valid Linux interface name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoGratuitousRoundOrNoProbeWait_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => Create(new AnnouncerOptions { GratuitousCount = 0 }));
        Assert.Throws<ArgumentException>(() => Create(new AnnouncerOptions { ProbeWait = TimeSpan.Zero }));
    }

    [Fact]
    public void Defaults_MatchTheDesign()
    {
        var options = new AnnouncerOptions();

        Assert.Equal("ferry0", options.DeviceName);
        Assert.Equal(5, options.GratuitousCount);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.GratuitousInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ProbeWait);
    }

    [Fact]
    public async Task Claim_BeforeStart_IsAProgrammingError()
    {
        await using var announcer = Create(new AnnouncerOptions());

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            announcer.ClaimAsync(new AddressClaim(System.Net.IPAddress.Parse("192.0.2.50"), [], false), TestContext.Current.CancellationToken));
        Assert.Empty(announcer.Claimed);
    }

    private static LinuxAddressAnnouncer Create(AnnouncerOptions options) =>
        new(options, TimeProvider.System, NullLogger<LinuxAddressAnnouncer>.Instance);
}
