using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ferry.Testing.Lab;

/// <summary>
/// A LAN in network namespaces for tests that need real links, ARP and NDP (root only; <see cref="SkipReason"/>
/// says why not). Namespace <c>PREFIX-lan</c> holds a bridge <c>br0</c> (192.0.2.1/24, 2001:db8::1/64, the
/// gateway); <see cref="Api"/> (.2), <see cref="Client"/> (.3) and <see cref="Nodes"/> (<c>node1</c> .11,
/// <c>node2</c> .12, ...) each have <c>lo</c> up and an <c>eth0</c> whose veth peer is a port of the bridge
/// (named after the role, in the lan namespace only, so nothing is ever created in the root namespace).
/// IPv6 addresses use the same last byte (2001:db8::11) and are added with <c>nodad</c>; duplicate
/// address detection is off in every lab namespace (<c>accept_dad=0</c>) so link-local addresses are
/// usable at once too. PREFIX is <c>fl&lt;pid&gt;x&lt;hex&gt;</c>: <see cref="CreateAsync"/> first deletes
/// the namespaces (and kills the processes in them) of earlier runs whose PID no longer lives.
/// <para>
/// Everything the lab starts (<see cref="StartProcess"/>, <see cref="Track{T}"/>) is stopped by
/// <see cref="DisposeAsync"/>, then every process left in its namespaces is killed by PID and every
/// namespace deleted by name, even when a test failed half-way.
/// </para>
/// <code>
/// await using var lab = await NetnsLab.CreateAsync();
/// var backend = lab.Track(NetnsLab.Run(lab.Nodes[0], () =&gt; new GreetingBackend(new IPEndPoint(lab.Nodes[0].IPv4, 9376), "node1")));
/// var replies = await lab.ArpingAsync(lab.Client, lab.Nodes[0].IPv4);
/// </code>
/// </summary>
public sealed partial class NetnsLab : IAsyncDisposable
{
    /// <summary>The first letters of every lab namespace's name.</summary>
    public const string NamePrefix = "fl";

    /// <summary>The LAN interface inside every attached namespace.</summary>
    public const string InterfaceName = "eth0";

    /// <summary>The bridge in the lan namespace.</summary>
    public const string BridgeName = "br0";

    private readonly NetnsLabOptions _options;
    private readonly List<string> _namespaces = [];
    private readonly List<LabProcess> _processes = [];
    private readonly List<IAsyncDisposable> _tracked = [];
    private readonly List<LabNamespace> _attached = [];
    private readonly Lock _lock = new();
    private int _disposed;

    private NetnsLab(string prefix, NetnsLabOptions options)
    {
        Prefix = prefix;
        _options = options;
        LanNamespace = prefix + "-lan";
    }

    /// <summary>This lab's unique prefix, <c>fl&lt;pid&gt;x&lt;hex&gt;</c>.</summary>
    public string Prefix { get; }

    /// <summary>The namespace holding the bridge.</summary>
    public string LanNamespace { get; }

    /// <summary>The bridge's addresses, the attached namespaces' default gateway.</summary>
    public static IPAddress GatewayIPv4 { get; } = IPAddress.Parse("192.0.2.1");

    /// <inheritdoc cref="GatewayIPv4"/>
    public static IPAddress GatewayIPv6 { get; } = IPAddress.Parse("2001:db8::1");

    /// <summary>Where <c>ferry api</c> runs (192.0.2.2).</summary>
    public LabNamespace Api { get; private set; } = null!;

    /// <summary>The client (192.0.2.3).</summary>
    public LabNamespace Client { get; private set; } = null!;

    /// <summary>The nodes, <c>node1</c> (192.0.2.11) first.</summary>
    public IReadOnlyList<LabNamespace> Nodes { get; private set; } = [];

    /// <summary>Every namespace on the LAN (not the lan namespace itself).</summary>
    public IReadOnlyList<LabNamespace> Attached => [.. _attached];

    /// <summary>The names of every namespace the lab created so far, lan first.</summary>
    public IReadOnlyList<string> NamespaceNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _namespaces];
            }
        }
    }

    /// <summary>Every process started with <see cref="StartProcess"/>.</summary>
    public IReadOnlyList<LabProcess> Processes
    {
        get
        {
            lock (_lock)
            {
                return [.. _processes];
            }
        }
    }

    /// <summary>Null when the lab can run here; else why not, for <c>Assert.SkipUnless</c>/<c>Assert.SkipWhen</c>.</summary>
    public static string? SkipReason() =>
        LibC.GetEffectiveUserId() != 0 ? "the network-namespace lab needs root (CI runs as root)"
        : !InstalledTools.OnPath("ip") ? "the network-namespace lab needs iproute2's ip; .ci/run installs it"
        : null;

    /// <summary>Builds the lab (after sweeping what dead runs left); on any failure it tears down what it built and rethrows.</summary>
    public static async Task<NetnsLab> CreateAsync(NetnsLabOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new NetnsLabOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Nodes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Nodes, 9);
        await SweepStaleAsync(cancellationToken);
        string prefix;
        do
        {
            prefix = string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{Environment.ProcessId}x{options.Random.Next(0x1000, 0x10000):x}");
        }
        while (File.Exists(Path.Combine("/run/netns", prefix + "-lan")));

        var lab = new NetnsLab(prefix, options);
        try
        {
            await lab.BuildAsync(cancellationToken);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Deletes lab namespaces whose creating process is gone (killing what still runs in them); returns their names.</summary>
    public static async Task<IReadOnlyList<string>> SweepStaleAsync(CancellationToken cancellationToken = default)
    {
        var list = await ToolRunner.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(20), cancellationToken);
        var removed = new List<string>();
        foreach (var line in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = line.Split(' ')[0];
            var match = LabName().Match(name);
            if (match.Success && !Directory.Exists("/proc/" + match.Groups["pid"].Value))
            {
                await KillEverythingInAsync(name, cancellationToken);
                await ToolRunner.RunAsync("ip", ["netns", "del", name], TimeSpan.FromSeconds(20), cancellationToken);
                removed.Add(name);
            }
        }

        return removed;
    }

    /// <summary>Runs <paramref name="arguments"/> in <paramref name="ns"/> to completion (default limit 20 s) and returns its output.</summary>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/> (it is killed).</exception>
    public Task<CommandResult> ExecAsync(LabNamespace ns, TimeSpan timeout, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ExecAsync(ns.Name, timeout, arguments, cancellationToken);
    }

    /// <inheritdoc cref="ExecAsync(LabNamespace, TimeSpan, IEnumerable{string}, CancellationToken)"/>
    public Task<CommandResult> ExecAsync(LabNamespace ns, params string[] arguments) => ExecAsync(ns, _options.CommandTimeout, arguments);

    /// <summary>As <see cref="ExecAsync(LabNamespace, TimeSpan, IEnumerable{string}, CancellationToken)"/> for any lab namespace by name (e.g. <see cref="LanNamespace"/>).</summary>
    public Task<CommandResult> ExecAsync(string namespaceName, TimeSpan timeout, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return ToolRunner.RunAsync("ip", ["netns", "exec", namespaceName, .. arguments], timeout, cancellationToken);
    }

    /// <summary>Starts a long-running <paramref name="file"/> in <paramref name="ns"/>; the lab kills it on dispose.</summary>
    /// <param name="environment">Variables to add (a null value removes one) on top of this process's.</param>
    public LabProcess StartProcess(LabNamespace ns, string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var process = LabProcess.Start(ns.Name, file, arguments, environment);
        lock (_lock)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Runs <paramref name="create"/> on a thread inside <paramref name="ns"/> (see <see cref="NetworkNamespace"/>): sockets it makes live there.</summary>
    public static T Run<T>(LabNamespace ns, Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return NetworkNamespace.Run(ns.Name, create);
    }

    /// <summary>Keeps <paramref name="disposable"/> (a backend, a relay, a probe) to dispose before the processes and namespaces go.</summary>
    public T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        lock (_lock)
        {
            _tracked.Add(disposable);
        }

        return disposable;
    }

    /// <summary>Cuts <paramref name="ns"/> off the LAN: its bridge port goes down (its own <c>eth0</c> loses carrier).</summary>
    public Task SetLinkDownAsync(LabNamespace ns, CancellationToken cancellationToken = default) => SetLinkAsync(ns, "down", cancellationToken);

    /// <summary>Reconnects <paramref name="ns"/> to the LAN.</summary>
    public Task SetLinkUpAsync(LabNamespace ns, CancellationToken cancellationToken = default) => SetLinkAsync(ns, "up", cancellationToken);

    /// <summary><c>sysctl -w KEY=VALUE</c> inside <paramref name="namespaceName"/> (never in the root namespace).</summary>
    public Task SysctlAsync(string namespaceName, string key, string value, CancellationToken cancellationToken = default) =>
        CheckedAsync(["netns", "exec", namespaceName, "sysctl", "-q", "-w", $"{key}={value}"], cancellationToken);

    /// <summary><c>ip addr add CIDR dev DEVICE</c> in <paramref name="ns"/> (<c>lo</c> by default: a local address the kernel accepts on, as docs/running-in-a-cluster.md has operators add VIPs today).</summary>
    public Task AddAddressAsync(LabNamespace ns, string cidr, string device = "lo", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return IpAsync(ns.Name, ["addr", "add", cidr, "dev", device], cancellationToken);
    }

    /// <summary><c>ip -n NS ARGS</c>, throwing with its stderr when it fails.</summary>
    public Task IpAsync(string namespaceName, IEnumerable<string> arguments, CancellationToken cancellationToken = default) =>
        CheckedAsync(["-n", namespaceName, .. arguments], cancellationToken);

    /// <summary>Stops tracked objects, kills every process by PID (and whatever else runs in the lab's namespaces), deletes every namespace; throws afterwards if something could not be cleaned.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var failures = new List<Exception>();
        IAsyncDisposable[] tracked;
        lock (_lock)
        {
            tracked = [.. _tracked, .. _processes];
        }

        foreach (var item in Enumerable.Reverse(tracked))
        {
            try
            {
                await item.DisposeAsync();
            }
#pragma warning disable CA1031 // every item must get its chance; failures are rethrown below
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add(e);
            }
        }

        // Attached namespaces first, the lan (and its bridge) last.
        foreach (var name in Enumerable.Reverse(NamespaceNames))
        {
            try
            {
                await KillEverythingInAsync(name, CancellationToken.None);
                var deleted = await ToolRunner.RunAsync("ip", ["netns", "del", name], _options.CommandTimeout, CancellationToken.None);
                if (!deleted.Succeeded && File.Exists(Path.Combine("/run/netns", name)))
                {
                    failures.Add(new InvalidOperationException($"ip netns del {name}: {deleted}"));
                }
            }
#pragma warning disable CA1031
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"the lab {Prefix} was not cleaned up completely", failures);
        }
    }

    [GeneratedRegex("^" + NamePrefix + "(?<pid>[0-9]+)x[0-9a-f]+-")]
    private static partial Regex LabName();

    private static async Task KillEverythingInAsync(string name, CancellationToken cancellationToken)
    {
        var pids = await ToolRunner.RunAsync("ip", ["netns", "pids", name], TimeSpan.FromSeconds(20), cancellationToken);
        foreach (var pid in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(pid, CultureInfo.InvariantCulture, out var id) && id != Environment.ProcessId)
            {
                _ = LibC.Kill(id, (int)LabSignal.Kill);
            }
        }
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        await AddNamespaceAsync(LanNamespace, cancellationToken);
        await BatchAsync(
            LanNamespace,
            [
                ["link", "set", "dev", "lo", "up"],
                ["link", "add", "name", BridgeName, "type", "bridge", "mcast_snooping", "0"],
                ["addr", "add", GatewayIPv4 + "/24", "dev", BridgeName],
                ["addr", "add", GatewayIPv6 + "/64", "dev", BridgeName, "nodad"],
                ["link", "set", "dev", BridgeName, "up"],
            ],
            cancellationToken);
        Api = await AttachAsync("api", 2, cancellationToken);
        Client = await AttachAsync("client", 3, cancellationToken);
        var nodes = new List<LabNamespace>();
        for (var i = 1; i <= _options.Nodes; i++)
        {
            nodes.Add(await AttachAsync(string.Create(CultureInfo.InvariantCulture, $"node{i}"), 10 + i, cancellationToken));
        }

        Nodes = nodes;
    }

    private async Task AddNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        await CheckedAsync(["netns", "add", name], cancellationToken);
        lock (_lock)
        {
            _namespaces.Add(name);
        }

        // Before any interface exists, so eth0 (and the bridge) inherit it from "default".
        await CheckedAsync(["netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"], cancellationToken);
    }

    /// <summary>Several <c>ip</c> commands in one process (<c>ip -n NS -batch FILE</c>): building the lab is mostly process starts.</summary>
    private async Task BatchAsync(string namespaceName, IEnumerable<string[]> commands, CancellationToken cancellationToken)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(file, commands.Select(command => string.Join(' ', command)), cancellationToken);
            await IpAsync(namespaceName, ["-batch", file], cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<LabNamespace> AttachAsync(string role, int host, CancellationToken cancellationToken)
    {
        var name = $"{Prefix}-{role}";
        await AddNamespaceAsync(name, cancellationToken);
        var ipv4 = new IPAddress([192, 0, 2, (byte)host]);
        var ipv6 = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8::{host}"));
        await BatchAsync(
            LanNamespace,
            [
                ["link", "add", "name", role, "type", "veth", "peer", "name", InterfaceName, "netns", name],
                ["link", "set", "dev", role, "master", BridgeName, "up"],
            ],
            cancellationToken);
        List<string[]> inside =
        [
            ["link", "set", "dev", "lo", "up"],
            ["addr", "add", ipv4 + "/24", "dev", InterfaceName],
            ["addr", "add", ipv6 + "/64", "dev", InterfaceName, "nodad"],
            ["link", "set", "dev", InterfaceName, "up"],
        ];
        if (_options.DefaultRoute)
        {
            inside.Add(["route", "add", "default", "via", GatewayIPv4.ToString()]);
            inside.Add(["route", "add", "default", "via", GatewayIPv6.ToString()]);
        }

        await BatchAsync(name, inside, cancellationToken);
        var link = await ToolRunner.RunAsync("ip", ["-n", name, "-j", "link", "show", "dev", InterfaceName], _options.CommandTimeout, cancellationToken);
        using var json = JsonDocument.Parse(link.StandardOutput);
        var mac = LinkLayerText.Parse(json.RootElement[0].GetProperty("address").GetString()!);
        var ns = new LabNamespace(name, role, InterfaceName, role, ipv4, ipv6, mac);
        lock (_lock)
        {
            _attached.Add(ns);
        }

        return ns;
    }

    /// <summary>Sets the bridge port, then waits (bounded) until the namespace's own interface has (or lost) carrier: the kernel reports it asynchronously.</summary>
    private async Task SetLinkAsync(LabNamespace ns, string state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ns);
        await IpAsync(LanNamespace, ["link", "set", "dev", ns.LanPort, state], cancellationToken);
        var up = state == "up";
        for (var attempt = 0; attempt < 250; attempt++)
        {
            var link = await ToolRunner.RunAsync("ip", ["-n", ns.Name, "-j", "link", "show", "dev", ns.InterfaceName], _options.CommandTimeout, cancellationToken);
            using var json = JsonDocument.Parse(link.StandardOutput);
            var hasCarrier = json.RootElement[0].GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "LOWER_UP");
            if (hasCarrier == up)
            {
                return;
            }

            await Task.Delay(20, cancellationToken);
        }

        throw new TimeoutException($"{ns.Name}'s {ns.InterfaceName} did not go {state} within 5 s of its bridge port");
    }

    private async Task CheckedAsync(IEnumerable<string> ipArguments, CancellationToken cancellationToken)
    {
        string[] args = [.. ipArguments];
        var result = await ToolRunner.RunAsync("ip", args, _options.CommandTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {result}");
        }
    }
}
