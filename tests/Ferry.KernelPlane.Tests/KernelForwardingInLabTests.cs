using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Health;
using Ferry.KernelPlane.Conntrack;
using Ferry.KernelPlane.Ruleset;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.KernelPlane.Tests;

/// <summary>
/// Real packets through Ferry's nftables table (root only): the client (192.0.2.3) routes the VIP 203.0.113.10 to
/// node1, which DNATs to two backends on node2 and masquerades towards them; replies come back through node1.
/// </summary>
public partial class KernelForwardingInLabTests
{
    private static readonly IPAddress _vip = IPAddress.Parse("203.0.113.10");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Table_ForwardsTcpRoundRobin_IsReplacedAtomically_ARefusedScriptChangesNothing_AndDeletingItStopsForwarding()
    {
        var setup = await StartAsync(_vip + "/32");
        await using var lab = setup.Lab;
        var (balancer, first, second) = (setup.Balancer, setup.First, setup.Second);

        Apply(balancer, FerryTable.Render([Spec(first.EndPoint, second.EndPoint)]));

        var seen = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            seen.Add(await ReadAsync(lab.Client));
        }

        Assert.Equal(["b1", "b2", "b1", "b2"], seen);

        // A new desired state replaces the table in one transaction: only b2 from now on.
        Apply(balancer, FerryTable.Render([Spec(second.EndPoint)]));
        Assert.Equal("b2", await ReadAsync(lab.Client));
        Assert.Equal("b2", await ReadAsync(lab.Client));

        // nft refuses a script: nothing of it applies, the table keeps forwarding, the error is nft's.
        var refused = Assert.Throws<NftablesException>(() => Apply(balancer, "delete table inet ferry\nadd rule inet ferry nosuchchain accept\n"));
        Assert.Contains("No such file or directory", refused.Message, StringComparison.Ordinal);
        Assert.Equal("b2", await ReadAsync(lab.Client));

        // Without the table nothing forwards the VIP (node1 has no route for it back to anyone: the connection fails).
        Apply(balancer, "delete table inet ferry\n");
        Assert.Null(await ReadAsync(lab.Client, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Provider_EnsureUpdateDelete_OneTableForAll_AndARestartedProviderLeavesNothingStale()
    {
        var setup = await StartAsync("203.0.113.0/24");
        await using var lab = setup.Lab;
        var (balancer, first, second) = (setup.Balancer, setup.First, setup.Second);
        var other = IPAddress.Parse("203.0.113.11");
        await using var provider = Provider(balancer);

        var web = await provider.EnsureAsync(Spec(first.EndPoint, second.EndPoint), Ct);
        var api = await provider.EnsureAsync(Spec(other, "api", second.EndPoint), Ct);

        Assert.True(web.IsFullyServing && api.IsFullyServing);
        Assert.Equal(["b1", "b2"], [await ReadAsync(lab.Client), await ReadAsync(lab.Client)]);
        Assert.Equal("b2", await ReadAsync(lab.Client, vip: other));
        Assert.Equal(2, (await provider.ListAsync(Ct)).Count);

        // Backends change (a node set change): only b1 for web; api untouched.
        await provider.UpdateBackendsAsync(Spec(first.EndPoint), Ct);
        Assert.Equal(["b1", "b1"], [await ReadAsync(lab.Client), await ReadAsync(lab.Client)]);
        Assert.Equal("b2", await ReadAsync(lab.Client, vip: other));

        // An invalid spec is refused before anything is applied.
        var invalid = Spec(first.EndPoint) with { Listeners = [new ListenerSpec { Protocol = TransportProtocol.Tcp, Port = 0 }] };
        await Assert.ThrowsAsync<LoadBalancerValidationException>(() => provider.EnsureAsync(invalid, Ct));
        Assert.Equal("b1", await ReadAsync(lab.Client));

        await provider.EnsureDeletedAsync(new LoadBalancerKey("default", "web"), Ct);
        await provider.EnsureDeletedAsync(new LoadBalancerKey("default", "web"), Ct);
        Assert.Null(await ReadAsync(lab.Client, TimeSpan.FromSeconds(2)));
        Assert.Equal("b2", await ReadAsync(lab.Client, vip: other));
        Assert.Null(await provider.GetAsync(new LoadBalancerKey("default", "web"), Ct));

        // The process is killed (no Dispose): the table stays and forwards. A new process adopts its rules, lists
        // their load balancers for the orphan sweep, and takes them over without a blip.
        await provider.EnsureAsync(Spec(first.EndPoint, second.EndPoint), Ct);
        await using var restarted = Provider(balancer);
        Assert.Equal(["default/api", "default/web"], (await restarted.ListAsync(Ct)).Select(k => k.ToString()).Order());
        Assert.Equal("b2", await ReadAsync(lab.Client, vip: other));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var during = ReadUntilStoppedAsync(lab.Client, other, stop.Token);
        await restarted.EnsureAsync(Spec(first.EndPoint, second.EndPoint), Ct);
        await restarted.EnsureAsync(Spec(other, "api", second.EndPoint, first.EndPoint), Ct);
        await Task.Delay(200, Ct);
        await stop.CancelAsync();
        var answers = await during;
        Assert.NotEmpty(answers);
        Assert.All(answers, a => Assert.NotNull(a));
        await restarted.EnsureDeletedAsync(new LoadBalancerKey("default", "web"), Ct);
        Assert.Equal(["default/api"], (await restarted.ListAsync(Ct)).Select(k => k.ToString()));
        Assert.Null(await ReadAsync(lab.Client, TimeSpan.FromSeconds(2)));
        Assert.Equal(["b2", "b1"], [await ReadAsync(lab.Client, vip: other), await ReadAsync(lab.Client, vip: other)]);
    }

    [Fact]
    public async Task ClientIpAffinity_KeepsTheClientOnOneBackend_SourceRangesDropOtherClients_AndDisposeDeletesTheTable()
    {
        var setup = await StartAsync(_vip + "/32");
        await using var lab = setup.Lab;
        var (balancer, first, second) = (setup.Balancer, setup.First, setup.Second);
        await using var provider = Provider(balancer);
        var spec = Spec(first.EndPoint, second.EndPoint);

        await provider.EnsureAsync(spec with { Settings = new LoadBalancerSettings { Algorithm = BalancingAlgorithm.ClientIpHash } }, Ct);
        var seen = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            seen.Add(await ReadAsync(lab.Client));
        }

        Assert.Single(seen.Distinct());
        Assert.Contains(seen[0], new[] { "b1", "b2" });

        // The client (192.0.2.3) is outside the ranges: dropped; inside them: served.
        await provider.EnsureAsync(spec with { Settings = new LoadBalancerSettings { SourceRanges = [IPNetwork.Parse("198.51.100.0/24")] } }, Ct);
        Assert.Null(await ReadAsync(lab.Client, TimeSpan.FromSeconds(2)));
        await provider.EnsureAsync(spec with { Settings = new LoadBalancerSettings { SourceRanges = [IPNetwork.Parse("192.0.2.0/28")] } }, Ct);
        Assert.NotNull(await ReadAsync(lab.Client));

        // A clean stop deletes Ferry's table.
        Assert.Equal("kernel", provider.Name);
        await provider.DisposeAsync();
        Assert.Throws<NftablesException>(() => Apply(balancer, "list table inet ferry\n"));
        Assert.Null(await ReadAsync(lab.Client, TimeSpan.FromSeconds(2)));
    }

    private static LoadBalancerSpec Spec(IPAddress vip, string name, params IPEndPoint[] backends) => new()
    {
        Key = new LoadBalancerKey("default", name),
        Addresses = [vip],
        Listeners = [new ListenerSpec { Protocol = TransportProtocol.Tcp, Port = 80, Backends = [.. backends.Select(b => new BackendSpec(b.Address, b.Port))] }],
    };

    private static LoadBalancerSpec Spec(params IPEndPoint[] backends) => Spec(_vip, "web", backends);

    /// <summary>A kernel plane programming <paramref name="balancer"/>'s table and conntrack (its sockets opened inside it).</summary>
    private static NftablesProvider Provider(LabNamespace balancer, IHealthMonitorFactory? monitors = null, NftablesProviderOptions? options = null) => new(
        () => NetnsLab.Run(balancer, NftablesSession.Open),
        monitors ?? new NamespaceHealthMonitors(balancer),
        NullLoggerFactory.Instance,
        TimeProvider.System,
        options,
        () => NetnsLab.Run(balancer, ConntrackSocket.Open));

    /// <summary>Connections to <paramref name="vip"/> one after another until stopped (at most 500): their answers, null for a failed one.</summary>
    private static async Task<List<string?>> ReadUntilStoppedAsync(LabNamespace client, IPAddress vip, CancellationToken stop)
    {
        var answers = new List<string?>();
        for (var i = 0; i < 500 && !stop.IsCancellationRequested; i++)
        {
            answers.Add(await ReadAsync(client, TimeSpan.FromSeconds(5), vip));
        }

        return answers;
    }

    /// <summary>Runs a script with libnftables inside the namespace (the context's netlink socket lives where it is made).</summary>
    private static string Apply(LabNamespace ns, string script) =>
        NetnsLab.Run(ns, () =>
        {
            using var session = NftablesSession.Open();
            return session.Run(script);
        });

    /// <summary>The greeting read from the VIP through a socket made in <paramref name="client"/>; null when the connection fails.</summary>
    private static Task<string?> ReadAsync(LabNamespace client, TimeSpan? timeout = null, IPAddress? vip = null) =>
        LabConnections.ReadToEndAsync(client, new IPEndPoint(vip ?? _vip, 80), timeout ?? TimeSpan.FromSeconds(10), Ct);

    /// <summary>
    /// The lab (root and libnftables, else the test skips): two greeting backends on node2 (b1 on 8080, b2 on 8081),
    /// node1 forwarding, and the client routing <paramref name="routed"/> to node1. The caller disposes the lab.
    /// </summary>
    private static async Task<(NetnsLab Lab, LabNamespace Balancer, GreetingBackend First, GreetingBackend Second)> StartAsync(string routed)
    {
        var reason = NetnsLab.SkipReason() ?? (NftablesSession.IsInstalled ? null : "libnftables1 is not installed; .ci/run installs it");
        Assert.SkipWhen(reason is not null, reason ?? string.Empty);
        var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 2 }, Ct);
        try
        {
            var (balancer, backends) = (lab.Nodes[0], lab.Nodes[1]);
            var first = lab.Track(NetnsLab.Run(backends, () => new GreetingBackend(new IPEndPoint(backends.IPv4, 8080), "b1")));
            var second = lab.Track(NetnsLab.Run(backends, () => new GreetingBackend(new IPEndPoint(backends.IPv4, 8081), "b2")));
            await MustAsync(lab, lab.Client, "ip", "route", "add", routed, "via", balancer.IPv4.ToString());
            await MustAsync(lab, balancer, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            return (lab, balancer, first, second);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private static async Task MustAsync(NetnsLab lab, LabNamespace ns, params string[] command)
    {
        var result = await lab.ExecAsync(ns, TimeSpan.FromSeconds(10), command, Ct);
        Assert.True(result.Succeeded, result.ToString());
    }
}
