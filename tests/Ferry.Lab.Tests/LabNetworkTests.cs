using System.Net;
using System.Net.Sockets;

namespace Ferry.Lab.Tests;

/// <summary>The lab's LAN itself: addresses, reachability, links, the tools' view, namespace sockets, cleanup.</summary>
[Collection(OneLabAtATime.Name)]
public sealed class LabNetworkTests
{
    [Fact]
    public async Task Lab_EveryNamespacePingsEveryOther_OverIPv4AndIPv6()
    {
        LabRequirement.Tool(InstalledTools.HasPing, InstalledTools.NoPing);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);

        Assert.Equal(["api", "client", "node1", "node2", "node3"], lab.Attached.Select(n => n.Role));
        Assert.Equal(IPAddress.Parse("192.0.2.12"), lab.Nodes[1].IPv4);
        Assert.Equal(IPAddress.Parse("2001:db8::13"), lab.Nodes[2].IPv6);
        Assert.Equal(lab.Attached.Count, lab.Attached.Select(n => n.Mac).Distinct().Count());
        foreach (var from in lab.Attached)
        {
            foreach (var to in lab.Attached.Where(n => n != from))
            {
                Assert.True(await lab.PingAsync(from, to.IPv4, cancellationToken: ct), $"{from} -> {to.IPv4}");
                Assert.True(await lab.PingAsync(from, to.IPv6, cancellationToken: ct), $"{from} -> {to.IPv6}");
            }
        }

        // Each namespace has its own addresses and nothing else on eth0.
        var addresses = await lab.AddressesAsync(lab.Nodes[0], NetnsLab.InterfaceName, ct);
        Assert.Contains(addresses, a => a.Address.Equals(lab.Nodes[0].IPv4) && a.PrefixLength == 24);
        Assert.Contains(addresses, a => a.Address.Equals(lab.Nodes[0].IPv6) && a.PrefixLength == 64);
        Assert.DoesNotContain(addresses, a => a.Address.Equals(lab.Nodes[1].IPv4));
    }

    [Fact]
    public async Task Run_SocketMadeInANamespace_BindsAnAddressOnlyThatNamespaceHas()
    {
        LabRequirement.Lab();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 1 }, ct);
        var node = lab.Nodes[0];

        // In the test's own namespace 192.0.2.11 does not exist, so binding it fails there.
        using (var here = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var error = Assert.Throws<SocketException>(() => here.Bind(new IPEndPoint(node.IPv4, 0)));
            Assert.Equal(SocketError.AddressNotAvailable, error.SocketErrorCode);
        }

        // A backend built inside the node binds it, and the client namespace reaches it over the bridge.
        var backend = lab.Track(NetnsLab.Run(node, () => new GreetingBackend(new IPEndPoint(node.IPv4, 9376), "node1")));
        Assert.Equal(new IPEndPoint(node.IPv4, 9376), backend.EndPoint);
        using var client = NetnsLab.Run(lab.Client, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await client.ConnectAsync(backend.EndPoint, ct);
        var buffer = new byte[16];
        var read = await client.ReceiveAsync(buffer, SocketFlags.None, ct);
        Assert.Equal("node1", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        Assert.Equal(lab.Client.IPv4, ((IPEndPoint)client.LocalEndPoint!).Address);
    }

    [Fact]
    public async Task Arping_FromTheClientToANode_OneReplyFromThatNodesMac()
    {
        LabRequirement.Tool(InstalledTools.HasArping, InstalledTools.NoArping);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        var node = lab.Nodes[1];

        var replies = await lab.ArpingAsync(lab.Client, node.IPv4, cancellationToken: ct);

        var reply = Assert.Single(replies);
        Assert.Equal(node.Mac, reply.Mac);
        Assert.Equal(1, reply.Count);
        Assert.Empty(await lab.ArpingAsync(lab.Client, IPAddress.Parse("192.0.2.99"), cancellationToken: ct));
    }

    [Fact]
    public async Task Neighbour_AfterTheClientSendsToANode_HoldsThatNodesMac()
    {
        LabRequirement.Lab();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 2 }, ct);
        var node = lab.Nodes[1];
        Assert.Null(await lab.NeighbourAsync(lab.Client, node.IPv4, ct));

        // A datagram from the client's kernel makes it resolve the node's address (arping does not: it has its own socket).
        using var udp = NetnsLab.Run(lab.Client, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        await udp.SendToAsync(new byte[] { 1 }, SocketFlags.None, new IPEndPoint(node.IPv4, 9), ct);
        NeighbourEntry? entry = null;
        for (var i = 0; i < 100 && entry?.Mac is null; i++)
        {
            await Task.Delay(20, ct);
            entry = await lab.NeighbourAsync(lab.Client, node.IPv4, ct);
        }

        Assert.NotNull(entry);
        Assert.Equal(node.Mac, entry.Mac);
        Assert.Equal(NetnsLab.InterfaceName, entry.Device);
        Assert.NotEmpty(entry.States);
    }

    [Fact]
    public async Task Ndisc6_FromTheClientToANode_OneAdvertisementWithThatNodesMac()
    {
        LabRequirement.Tool(InstalledTools.HasNdisc6, InstalledTools.NoNdisc6);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
        var node = lab.Nodes[2];

        var replies = await lab.NdiscAsync(lab.Client, node.IPv6, cancellationToken: ct);

        var reply = Assert.Single(replies);
        Assert.Equal(node.Mac, reply.Mac);
        Assert.Equal(1, reply.Count);
        Assert.Empty(await lab.NdiscAsync(lab.Client, IPAddress.Parse("2001:db8::99"), waitMilliseconds: 300, cancellationToken: ct));
    }

    [Fact]
    public async Task SetLinkDown_CutsTheNodeOff_SetLinkUpBringsItBack()
    {
        LabRequirement.Tool(InstalledTools.HasPing, InstalledTools.NoPing);
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 2 }, ct);
        var (cut, other) = (lab.Nodes[0], lab.Nodes[1]);

        await lab.SetLinkDownAsync(cut, ct);
        Assert.False(await lab.PingAsync(lab.Client, cut.IPv4, waitSeconds: 1, cancellationToken: ct));
        Assert.False(await lab.PingAsync(cut, other.IPv4, waitSeconds: 1, cancellationToken: ct));
        Assert.True(await lab.PingAsync(lab.Client, other.IPv4, cancellationToken: ct));

        await lab.SetLinkUpAsync(cut, ct);
        // The client's resolution of the node's address, started while it was cut off, still runs its three
        // one-second probes and would fail the next packet; forget it, as a test of a fresh start would.
        await lab.FlushNeighbourAsync(lab.Client, cut.IPv4, ct);
        Assert.True(await lab.PingAsync(lab.Client, cut.IPv4, cancellationToken: ct));
        Assert.True(await lab.PingAsync(lab.Client, cut.IPv6, cancellationToken: ct));
    }

    [Fact]
    public async Task Dispose_LeavesNoNamespaceAndNoProcess()
    {
        LabRequirement.Lab();
        var ct = TestContext.Current.CancellationToken;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct); // disposed below; again (a no-op) if an assertion fails first
        var built = clock.Elapsed;
        var names = lab.NamespaceNames;
        var sleeper = lab.StartProcess(lab.Nodes[0], "sleep", ["600"]);
        // A shell whose child the lab never hears of: the sweep of the namespace's PIDs kills it too.
        var shell = lab.StartProcess(lab.Nodes[1], "sh", ["-c", "sleep 600 & echo child $!; wait"]);
        Assert.True(await shell.WaitForOutputAsync("child ", TimeSpan.FromSeconds(10), ct), shell.Output);
        var child = int.Parse(shell.Lines.First(l => l.StartsWith("child ", StringComparison.Ordinal))[6..], System.Globalization.CultureInfo.InvariantCulture);
        var list = await ListNamespacesAsync(ct);
        Assert.All(names, name => Assert.Contains(name, list));
        Assert.Equal(6, names.Count); // lan, api, client, node1-3
        Assert.True(Alive(sleeper.Pid) && Alive(shell.Pid) && Alive(child));

        clock.Restart();
        await lab.DisposeAsync();
        var tornDown = clock.Elapsed;

        list = await ListNamespacesAsync(ct);
        Assert.All(names, name => Assert.DoesNotContain(name, list));
        Assert.True(sleeper.HasExited && shell.HasExited);
        Assert.False(Alive(sleeper.Pid), "the tracked process is gone");
        for (var i = 0; i < 100 && Alive(child); i++)
        {
            await Task.Delay(20, ct);
        }

        Assert.False(Alive(child), "the untracked child in a lab namespace is gone");
        TestContext.Current.TestOutputHelper?.WriteLine($"lab of 3 nodes: built in {built.TotalMilliseconds:F0} ms, torn down in {tornDown.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Create_SweepsTheNamespacesOfADeadRun_AndTheProcessesInThem()
    {
        LabRequirement.Lab();
        var ct = TestContext.Current.CancellationToken;
        // A PID that is surely gone: a finished child's.
        using (var done = System.Diagnostics.Process.Start("true"))
        {
            await done.WaitForExitAsync(ct);
            var stale = $"{NetnsLab.NamePrefix}{done.Id}xdead-lan";
            Assert.SkipWhen(Directory.Exists($"/proc/{done.Id}"), "the finished child's PID was reused at once");
            await RunAsync("ip", ["netns", "add", stale], ct);
            using var orphan = System.Diagnostics.Process.Start("ip", ["netns", "exec", stale, "sleep", "600"]);

            await using var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 1 }, ct);

            Assert.DoesNotContain(stale, await ListNamespacesAsync(ct));
            Assert.Contains(lab.LanNamespace, await ListNamespacesAsync(ct));
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            await orphan.WaitForExitAsync(limit.Token);
        }
    }

    private static bool Alive(int pid)
    {
        // Gone, or a zombie nobody reaped yet (its parent may not be this process): either way not running.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, string[] args, CancellationToken ct)
    {
        using var process = System.Diagnostics.Process.Start(file, args);
        await process.WaitForExitAsync(ct);
        Assert.Equal(0, process.ExitCode);
    }

    private static async Task<string[]> ListNamespacesAsync(CancellationToken ct)
    {
        using var ip = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip", ["netns", "list"]) { RedirectStandardOutput = true })!;
        var output = await ip.StandardOutput.ReadToEndAsync(ct);
        await ip.WaitForExitAsync(ct);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0])];
    }
}
