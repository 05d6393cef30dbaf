using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.Lab.Tests.Planes;

/// <summary>
/// One data plane between real network stacks: the client namespace routes the VIPs (203.0.113.0/24,
/// 2001:db8:ff::/64) to node1, where <c>ferry proxy --data-plane PLANE</c> runs with the VIPs on its loopback
/// and forwarding on; backends listen on node2. The same scenario runs against either plane.
/// </summary>
internal sealed class PlaneLab : IAsyncDisposable
{
    public static readonly IPAddress Vip4 = IPAddress.Parse("203.0.113.10");
    public static readonly IPAddress Vip6 = IPAddress.Parse("2001:db8:ff::10");

    /// <summary>Extra client addresses (the lab's LAN), for tests that need several clients.</summary>
    public static readonly IPAddress[] ClientAddresses = [IPAddress.Parse("192.0.2.201"), IPAddress.Parse("192.0.2.202"), IPAddress.Parse("192.0.2.203")];

    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(30);
    private readonly string _directory;

    private PlaneLab(NetnsLab lab, string plane, string directory)
    {
        Lab = lab;
        Plane = plane;
        _directory = directory;
    }

    public NetnsLab Lab { get; }

    public string Plane { get; }

    public LabNamespace Balancer => Lab.Nodes[0];

    public LabNamespace Backends => Lab.Nodes[1];

    public LabProcess Ferry { get; private set; } = null!;

    public string ConfigPath => Path.Combine(_directory, "proxy.yaml");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The lab, ready for backends; <see cref="StartFerryAsync(string, int)"/> next. Skips without root, the tools or, for the kernel, libnftables.</summary>
    public static async Task<PlaneLab> CreateAsync(string plane)
    {
        LabRequirement.Lab();
        if (plane == "kernel")
        {
            Assert.SkipUnless(KernelPlane.NftablesSession.IsInstalled, "libnftables1 is not installed; .ci/run installs it");
        }

        var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 2 }, Ct);
        var rig = new PlaneLab(lab, plane, Directory.CreateTempSubdirectory("ferry-planes-").FullName);
        try
        {
            await rig.MustAsync(lab.Client, "ip", "route", "add", "203.0.113.0/24", "via", rig.Balancer.IPv4.ToString());
            await rig.MustAsync(lab.Client, "ip", "-6", "route", "add", "2001:db8:ff::/64", "via", rig.Balancer.IPv6.ToString());
            foreach (var address in ClientAddresses)
            {
                await rig.MustAsync(lab.Client, "ip", "addr", "add", address + "/24", "dev", NetnsLab.InterfaceName);
            }

            await rig.MustAsync(rig.Balancer, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            await rig.MustAsync(rig.Balancer, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
            await rig.MustAsync(rig.Balancer, "ip", "addr", "add", Vip4 + "/32", "dev", "lo");
            await rig.MustAsync(rig.Balancer, "ip", "addr", "add", Vip6 + "/128", "dev", "lo");
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>Builds something (a backend) in the backends' namespace; the lab disposes it.</summary>
    public T InBackends<T>(Func<LabNamespace, T> create)
        where T : IAsyncDisposable => Lab.Track(NetnsLab.Run(Backends, () => create(Backends)));

    /// <summary>Writes the file and starts <c>ferry proxy</c> on node1; returns once it applied every load balancer.</summary>
    public async Task StartFerryAsync(string yaml, int loadBalancers = 1)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml, Ct);
        await StartFerryAsync(loadBalancers);
    }

    /// <summary>Starts <c>ferry proxy</c> (again) on node1 with the file as it is; returns once it applied every load balancer.</summary>
    public async Task StartFerryAsync(int loadBalancers = 1)
    {
        Ferry = Lab.StartProcess(Balancer, "dotnet", [Path.Combine(AppContext.BaseDirectory, "ferry.dll"), "proxy", "--config", ConfigPath, "--data-plane", Plane]);
        var deadline = DateTime.UtcNow + _wait;
        while (Ferry.Lines.Count(l => l.Contains(": applied;", StringComparison.Ordinal)) < loadBalancers)
        {
            Assert.True(DateTime.UtcNow < deadline && !Ferry.HasExited, "ferry proxy did not apply its file:\n" + Ferry.Output);
            await Task.Delay(50, Ct);
        }

        var said = Plane == "kernel" ? "Data plane (kernel): the kernel (nftables)" : "Data plane: userspace for every listener";
        Assert.True(Ferry.Output.Contains(said, StringComparison.Ordinal), Ferry.Output);
    }

    /// <summary>Replaces the file and waits (bounded) until ferry applied it (a load balancer applied or deleted after the edit).</summary>
    public async Task ReloadAsync(string yaml)
    {
        static bool Applied(string line) => line.Contains(": applied;", StringComparison.Ordinal) || line.Contains("removed from the file, deleted", StringComparison.Ordinal);
        var before = Ferry.Lines.Count(Applied);
        await File.WriteAllTextAsync(ConfigPath, yaml, Ct);
        var deadline = DateTime.UtcNow + _wait;
        while (Ferry.Lines.Count(Applied) <= before)
        {
            Assert.True(DateTime.UtcNow < deadline, "ferry proxy did not reload:\n" + Ferry.Output);
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>A TCP connection from the client namespace (from <paramref name="source"/> if given); the greeting read to the end, or null when it fails.</summary>
    public Task<string?> ReadAsync(IPEndPoint vip, IPAddress? source = null, TimeSpan? timeout = null) =>
        LabConnections.ReadToEndAsync(Lab.Client, vip, timeout ?? TimeSpan.FromSeconds(5), Ct, source);

    /// <summary>One datagram from the client namespace and the answer's text, or null without one in <paramref name="timeout"/>.</summary>
    public async Task<string?> AskUdpAsync(IPEndPoint vip, string text, IPAddress? source = null, TimeSpan? timeout = null)
    {
        using var socket = NetnsLab.Run(Lab.Client, () => new Socket(vip.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(3));
        try
        {
            await socket.SendToAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None, vip, cts.Token);
            var buffer = new byte[512];
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.ASCII.GetString(buffer, 0, received);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !Ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>A TCP connection from the client namespace, left open (for drains).</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint vip)
    {
        var socket = NetnsLab.Run(Lab.Client, () => new Socket(vip.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(5));
        await socket.ConnectAsync(vip, cts.Token);
        return socket;
    }

    /// <summary>Greetings of <paramref name="count"/> connections, counted by backend name (failures under "").</summary>
    public async Task<Dictionary<string, int>> CountAsync(IPEndPoint vip, int count, IPAddress? source = null)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = await ReadAsync(vip, source) ?? string.Empty;
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }

        return counts;
    }

    public static string Backend(IPEndPoint endPoint, int weight = 1) => string.Create(
        CultureInfo.InvariantCulture,
        $"{{ address: \"{endPoint.Address}\", port: {endPoint.Port}, weight: {weight} }}");

    public async ValueTask DisposeAsync()
    {
        await Lab.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task MustAsync(LabNamespace ns, params string[] command)
    {
        var result = await Lab.ExecAsync(ns, TimeSpan.FromSeconds(10), command, Ct);
        Assert.True(result.Succeeded, result.ToString());
    }
}
