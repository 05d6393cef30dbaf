using System.Text.Json;
using Ferry.Announcement.Tests.Lab;

namespace Ferry.Announcement.Tests;

/// <summary>
/// The announcer in a network namespace on a bridged LAN with a peer (root only; skip with the reason otherwise):
/// ARP and neighbour discovery from the announcer's MAC, gratuitous ARP and unsolicited NA, real TCP to the
/// address, nobody answering after a release or a kill -9, stale addresses removed at start, conflicts.
/// </summary>
public class L2AnnouncementTests
{
    private const string Vip = "192.0.2.50";
    private const string Vip6 = "2001:db8::50";

    [Fact]
    public async Task Claim_AnswersArpFromTheAnnouncersMacOnly_AndCarriesTcpBothWays()
    {
        await using var lab = await LabAsync();
        var (announcer, peer) = await TwoHostsAsync(lab);
        var mac = Probes.Format(await NetworkLab.MacAsync(announcer));
        await using var host = AnnouncerHost.Start(announcer);
        Assert.True((await host.SendAsync("start")).GetProperty("ok").GetBoolean());

        var claim = await host.SendAsync($"claim {Vip} probe");
        await host.SendAsync($"listen-tcp {Vip} 8080");

        Assert.Equal("Claimed", claim.GetProperty("outcome").GetString());
        Assert.Equal(["eth0"], Strings(claim.GetProperty("interfaces")));
        var replies = await Probes.ArpRepliesAsync(peer, Vip);
        Assert.NotEmpty(replies);
        Assert.All(replies, reply => Assert.Equal(mac, reply));
        var (exitCode, echoed) = await NetworkLab.ExecAsync(peer, "timeout", "10", "bash", "-c",
            $"exec 3<>/dev/tcp/{Vip}/8080; printf 'ferry-l2\\n' >&3; head -c 9 <&3");
        Assert.Equal(0, exitCode);
        Assert.Equal("ferry-l2\n", echoed);
        // The kernel's own ARP answers are off on the announcing interface, as the docs say.
        Assert.Equal("1", (await NetworkLab.ExecAsync(announcer, "cat", "/proc/sys/net/ipv4/conf/eth0/arp_ignore")).Output.Trim());
        Assert.Equal("2", (await NetworkLab.ExecAsync(announcer, "cat", "/proc/sys/net/ipv4/conf/eth0/arp_announce")).Output.Trim());
    }

    [Fact]
    public async Task Claim_GratuitousArp_UpdatesAStaleNeighbourEntry()
    {
        await using var lab = await LabAsync();
        var (announcer, peer) = await TwoHostsAsync(lab);
        var mac = Probes.Format(await NetworkLab.MacAsync(announcer));
        await NetworkLab.IpAsync(peer, "neigh", "replace", Vip, "lladdr", "02:00:00:00:00:01", "dev", "eth0", "nud", "stale");
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");

        Assert.Equal("Claimed", (await host.SendAsync($"claim {Vip}")).GetProperty("outcome").GetString());

        Assert.Contains(mac, await Probes.WaitForNeighbourAsync(peer, Vip, mac), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ipv6_AnswersNeighbourSolicitations_AndUnsolicitedNaUpdatesAStaleEntry()
    {
        await using var lab = await LabAsync();
        var (announcer, peer) = await TwoHostsAsync(lab);
        var mac = Probes.Format(await NetworkLab.MacAsync(announcer));
        await NetworkLab.IpAsync(peer, "neigh", "replace", Vip6, "lladdr", "02:00:00:00:00:01", "dev", "eth0", "nud", "stale");
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");

        var claim = await host.SendAsync($"claim {Vip6} probe");

        Assert.Equal("Claimed", claim.GetProperty("outcome").GetString());
        Assert.Contains(mac, await Probes.WaitForNeighbourAsync(peer, Vip6, mac), StringComparison.Ordinal);
        Assert.Equal(mac, await Probes.NeighbourAdvertisedMacAsync(peer, Vip6));
        Assert.Contains(Vip6 + "/128", (await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0")), StringComparison.Ordinal);
        await host.SendAsync($"listen-tcp {Vip6} 8080");
        var (exitCode, echoed) = await NetworkLab.ExecAsync(peer, "timeout", "10", "bash", "-c",
            $"exec 3<>/dev/tcp/{Vip6}/8080; printf 'ferry-v6\\n' >&3; head -c 9 <&3");
        Assert.Equal(0, exitCode);
        Assert.Equal("ferry-v6\n", echoed);
    }

    [Fact]
    public async Task Release_NobodyAnswers_AndTheAddressLeavesTheDevice()
    {
        await using var lab = await LabAsync();
        var (announcer, peer) = await TwoHostsAsync(lab);
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");
        await host.SendAsync($"claim {Vip}");
        await host.SendAsync($"claim {Vip6}");
        var twice = await host.SendAsync($"claim {Vip} eth0");
        Assert.Equal("Claimed", twice.GetProperty("outcome").GetString());
        Assert.Equal([Vip, Vip6], Strings((await host.SendAsync("claimed")).GetProperty("claimed")).Order(StringComparer.Ordinal));
        Assert.NotEmpty(await Probes.ArpRepliesAsync(peer, Vip));

        await host.SendAsync($"release {Vip}");
        await host.SendAsync($"release {Vip6}");
        var again = await host.SendAsync($"release {Vip}");

        Assert.True(again.GetProperty("ok").GetBoolean());
        Assert.Empty(await Probes.ArpRepliesAsync(peer, Vip));
        Assert.Null(await Probes.NeighbourAdvertisedMacAsync(peer, Vip6));
        var device = await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0");
        Assert.DoesNotContain(Vip, device, StringComparison.Ordinal);
        Assert.DoesNotContain(Vip6, device, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentClaim_LocalButNotAnswered_UntilClaimedAgainWhichAnnounces()
    {
        await using var lab = await LabAsync();
        var (announcer, peer) = await TwoHostsAsync(lab);
        var mac = Probes.Format(await NetworkLab.MacAsync(announcer));
        await NetworkLab.IpAsync(peer, "neigh", "replace", Vip, "lladdr", "02:00:00:00:00:01", "dev", "eth0", "nud", "stale");
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");

        Assert.Equal("Claimed", (await host.SendAsync($"claim {Vip} probe silent")).GetProperty("outcome").GetString());

        Assert.Contains(Vip + "/32", await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0"), StringComparison.Ordinal);
        Assert.Empty(await Probes.ArpRepliesAsync(peer, Vip));
        Assert.Contains("02:00:00:00:00:01", await NetworkLab.IpAsync(peer, "neigh", "show", Vip), StringComparison.Ordinal);

        Assert.Equal("Claimed", (await host.SendAsync($"claim {Vip}")).GetProperty("outcome").GetString());

        Assert.Contains(mac, await Probes.WaitForNeighbourAsync(peer, Vip, mac), StringComparison.Ordinal);
        Assert.Equal([mac], (await Probes.ArpRepliesAsync(peer, Vip)).Distinct());
    }

    [Fact]
    public async Task StopAnswering_NobodyAnswersButTcpStillArrives_AndAClaimAnswersAndAnnouncesAgain()
    {
        await using var lab = await LabAsync();
        var (announcer, peer) = await TwoHostsAsync(lab);
        var mac = Probes.Format(await NetworkLab.MacAsync(announcer));
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");
        await host.SendAsync($"claim {Vip}");
        await host.SendAsync($"claim {Vip6}");
        await host.SendAsync($"listen-tcp {Vip} 8080");
        // The peer learns the MAC while the address is answered for; a handover's drain is for such clients.
        Assert.NotEmpty(await Probes.ArpRepliesAsync(peer, Vip));
        await NetworkLab.IpAsync(peer, "neigh", "replace", Vip, "lladdr", mac, "dev", "eth0", "nud", "reachable");

        await host.SendAsync($"stop-answering {Vip}");
        await host.SendAsync($"stop-answering {Vip6}");

        Assert.Empty(await Probes.ArpRepliesAsync(peer, Vip));
        Assert.Null(await Probes.NeighbourAdvertisedMacAsync(peer, Vip6));
        var device = await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0");
        Assert.Contains(Vip + "/32", device, StringComparison.Ordinal);
        Assert.Contains(Vip6 + "/128", device, StringComparison.Ordinal);
        var (exitCode, echoed) = await NetworkLab.ExecAsync(peer, "timeout", "10", "bash", "-c",
            $"exec 3<>/dev/tcp/{Vip}/8080; printf 'draining\\n' >&3; head -c 9 <&3");
        Assert.Equal(0, exitCode);
        Assert.Equal("draining\n", echoed);

        // Claimed again: answered and announced again (a stale entry on the peer is updated by the gratuitous ARP).
        await NetworkLab.IpAsync(peer, "neigh", "replace", Vip, "lladdr", "02:00:00:00:00:01", "dev", "eth0", "nud", "stale");
        Assert.Equal("Claimed", (await host.SendAsync($"claim {Vip}")).GetProperty("outcome").GetString());
        Assert.Contains(mac, await Probes.WaitForNeighbourAsync(peer, Vip, mac), StringComparison.Ordinal);
        Assert.Equal([mac], (await Probes.ArpRepliesAsync(peer, Vip)).Distinct());
        Assert.Equal([Vip, Vip6], Strings((await host.SendAsync("claimed")).GetProperty("claimed")).Order(StringComparer.Ordinal));

        await host.SendAsync($"release {Vip6}");
        Assert.DoesNotContain(Vip6, await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnnounceAgain_AfterTheRoundsEnded_UpdatesAnEntryAnotherHostTook_ButNotForASilentAddress()
    {
        await using var lab = await LabAsync();
        var (announcer, peer) = await TwoHostsAsync(lab);
        var mac = Probes.Format(await NetworkLab.MacAsync(announcer));
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");
        await host.SendAsync($"claim {Vip}");
        // Past the claim's last gratuitous round (5 rounds, 500 ms apart): nothing more is sent by itself.
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        const string other = "02:00:00:00:00:01";
        await NetworkLab.IpAsync(peer, "neigh", "replace", Vip, "lladdr", other, "dev", "eth0", "nud", "stale");

        Assert.True((await host.SendAsync($"announce-again {Vip}")).GetProperty("ok").GetBoolean());

        Assert.Contains(mac, await Probes.WaitForNeighbourAsync(peer, Vip, mac), StringComparison.Ordinal);

        // A silent address is not announced.
        await host.SendAsync($"stop-answering {Vip}");
        await NetworkLab.IpAsync(peer, "neigh", "replace", Vip, "lladdr", other, "dev", "eth0", "nud", "stale");
        await host.SendAsync($"announce-again {Vip}");
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        Assert.Contains(other, await NetworkLab.IpAsync(peer, "neigh", "show", Vip, "dev", "eth0"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill9_NobodyAnswersThoughTheAddressStaysLocal_AndARestartRemovesIt()
    {
        await using var lab = await LabAsync();
        var (announcer, peer) = await TwoHostsAsync(lab);
        await using (var host = AnnouncerHost.Start(announcer))
        {
            await host.SendAsync("start");
            await host.SendAsync($"claim {Vip}");
            await host.SendAsync($"claim {Vip6}");
            Assert.NotEmpty(await Probes.ArpRepliesAsync(peer, Vip));

            await host.KillAsync();
        }

        // The addresses are still on ferry0 (nothing cleaned up), yet the kernel answers neither ARP
        // (arp_ignore=1 on eth0) nor neighbour solicitations (per-interface in Linux) for them on the LAN.
        var left = await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0");
        Assert.Contains(Vip + "/32", left, StringComparison.Ordinal);
        Assert.Contains(Vip6 + "/128", left, StringComparison.Ordinal);
        Assert.Empty(await Probes.ArpRepliesAsync(peer, Vip));
        Assert.Null(await Probes.NeighbourAdvertisedMacAsync(peer, Vip6));

        await using var restarted = AnnouncerHost.Start(announcer);
        var start = await restarted.SendAsync("start");

        Assert.Equal([Vip, Vip6], Strings(start.GetProperty("removed")).Order(StringComparer.Ordinal));
        var device = await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0");
        Assert.DoesNotContain(Vip, device, StringComparison.Ordinal);
        Assert.DoesNotContain(Vip6, device, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Vip, "192.0.2.50/24")]
    [InlineData(Vip6, "2001:db8::50/64")]
    public async Task Probe_AddressInUseOnTheLan_IsAConflictNamingTheMac_AndNotClaimed(string address, string held)
    {
        await using var lab = await LabAsync();
        var (announcer, _) = await TwoHostsAsync(lab);
        var other = await lab.AddHostAsync("c", held.Contains(':', StringComparison.Ordinal) ? "192.0.2.3/24" : "2001:db8::3/64", held);
        var otherMac = Probes.Format(await NetworkLab.MacAsync(other));
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");

        var claim = await host.SendAsync($"claim {address} probe");

        Assert.Equal("Conflict", claim.GetProperty("outcome").GetString());
        Assert.Equal(otherMac, claim.GetProperty("conflictingMac").GetString());
        Assert.Contains(otherMac, claim.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(address, await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0"), StringComparison.Ordinal);
        Assert.Empty(Strings((await host.SendAsync("claimed")).GetProperty("claimed")));
    }

    [Fact]
    public async Task Claim_MissingInterface_FailsWithAClearDetail()
    {
        await using var lab = await LabAsync();
        var (announcer, _) = await TwoHostsAsync(lab);
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");

        var claim = await host.SendAsync($"claim {Vip} nosuch0");

        Assert.Equal("Failed", claim.GetProperty("outcome").GetString());
        Assert.Equal("interface nosuch0 does not exist", claim.GetProperty("detail").GetString());
        Assert.DoesNotContain(Vip, await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claim_AddressOutsideEverySubnetWithoutDefaultRoute_FailsWithAClearDetail()
    {
        await using var lab = await LabAsync();
        var (announcer, _) = await TwoHostsAsync(lab);
        await using var host = AnnouncerHost.Start(announcer);
        await host.SendAsync("start");

        var claim = await host.SendAsync("claim 203.0.113.9");

        Assert.Equal("Failed", claim.GetProperty("outcome").GetString());
        Assert.Equal("no interface's subnet holds 203.0.113.9 and there is no IPv4 default route; name the interface", claim.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task WithoutCapNetAdmin_StartFailsNamingTheCapability()
    {
        await using var lab = await LabAsync();
        Assert.SkipUnless(Shell.OnPath("setpriv"), "setpriv (util-linux) is not installed");
        var (announcer, _) = await TwoHostsAsync(lab);
        await using var host = AnnouncerHost.Start(announcer, "setpriv", "--bounding-set=-net_admin");

        var start = await host.SendAsync("start");

        Assert.Contains("needs CAP_NET_ADMIN", start.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ferry0", await NetworkLab.IpAsync(announcer, "link", "show"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Vip)]
    [InlineData(Vip6)]
    public async Task WithoutCapNetRaw_ClaimFailsNamingTheCapability_AndAddsNothing(string address)
    {
        await using var lab = await LabAsync();
        Assert.SkipUnless(Shell.OnPath("setpriv"), "setpriv (util-linux) is not installed");
        var (announcer, _) = await TwoHostsAsync(lab);
        await using var host = AnnouncerHost.Start(announcer, "setpriv", "--bounding-set=-net_raw");
        Assert.True((await host.SendAsync("start")).GetProperty("ok").GetBoolean());

        var claim = await host.SendAsync($"claim {address}");

        Assert.Equal("Failed", claim.GetProperty("outcome").GetString());
        Assert.Contains("needs CAP_NET_RAW", claim.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(address, await NetworkLab.IpAsync(announcer, "addr", "show", "dev", "ferry0"), StringComparison.Ordinal);
    }

    private static async Task<NetworkLab> LabAsync()
    {
        Assert.SkipWhen(NetworkLab.WhyNot() is not null, NetworkLab.WhyNot() ?? string.Empty);
        return await NetworkLab.CreateAsync();
    }

    private static async Task<(string Announcer, string Peer)> TwoHostsAsync(NetworkLab lab) =>
        (await lab.AddHostAsync("a", "192.0.2.1/24", "2001:db8::1/64"), await lab.AddHostAsync("p", "192.0.2.2/24", "2001:db8::2/64"));

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
