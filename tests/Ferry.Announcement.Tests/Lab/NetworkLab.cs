using System.Net.NetworkInformation;

namespace Ferry.Announcement.Tests.Lab;

/// <summary>
/// A LAN in network namespaces, made and torn down by the test: a bridge in its own namespace and hosts
/// (each its own namespace) with an <c>eth0</c> on it. Names start with <c>fa{pid}-{6 hex}-</c>; only documentation
/// addresses are used. Dispose deletes every namespace by name, even after a failure.
/// </summary>
internal sealed class NetworkLab : IAsyncDisposable
{
    private readonly List<string> _namespaces = [];
    private readonly string _prefix = $"fa{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}-";

    private NetworkLab()
    {
    }

    public string Lan => _prefix + "lan";

    /// <summary>Null when the lab can run here, else the reason to skip.</summary>
    public static string? WhyNot()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return "network namespace tests need root on Linux (CI runs them as root)";
        }

        foreach (var tool in (string[])["ip", "arping", "ndisc6"])
        {
            if (!Shell.OnPath(tool))
            {
                return $"{tool} is not installed (.ci/run installs iproute2, iputils-arping and ndisc6)";
            }
        }

        return null;
    }

    public static async Task<NetworkLab> CreateAsync()
    {
        var lab = new NetworkLab();
        try
        {
            await lab.AddNamespaceAsync(lab.Lan);
            await IpAsync(lab.Lan, "link", "add", "br0", "type", "bridge");
            await IpAsync(lab.Lan, "link", "set", "br0", "up");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>A host on the LAN: namespace <c>{prefix}{role}</c> with eth0 holding the given addresses (IPv6 without DAD).</summary>
    public async Task<string> AddHostAsync(string role, params string[] addresses)
    {
        var name = _prefix + role;
        await AddNamespaceAsync(name);
        // The bridge side is "port-ROLE": a bare "a" would read as ip(8)'s "address" keyword.
        await IpAsync(Lan, "link", "add", "port-" + role, "type", "veth", "peer", "name", "eth0", "netns", name);
        await IpAsync(Lan, "link", "set", "port-" + role, "master", "br0", "up");
        foreach (var address in addresses)
        {
            await (address.Contains(':', StringComparison.Ordinal)
                ? IpAsync(name, "addr", "add", address, "dev", "eth0", "nodad")
                : IpAsync(name, "addr", "add", address, "dev", "eth0"));
        }

        await IpAsync(name, "link", "set", "lo", "up");
        await IpAsync(name, "link", "set", "eth0", "up");
        return name;
    }

    public static async Task<PhysicalAddress> MacAsync(string ns, string device = "eth0")
    {
        var output = await IpAsync(ns, "-o", "link", "show", "dev", device);
        var words = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return PhysicalAddress.Parse(words[Array.IndexOf(words, "link/ether") + 1].ToUpperInvariant().Replace(':', '-'));
    }

    public static Task<string> IpAsync(string ns, params string[] arguments) => Shell.CheckAsync("ip", ["-n", ns, .. arguments]);

    public static Task<(int ExitCode, string Output)> ExecAsync(string ns, params string[] arguments) => Shell.RunAsync("ip", ["netns", "exec", ns, .. arguments]);

    public async ValueTask DisposeAsync()
    {
        foreach (var name in Enumerable.Reverse(_namespaces))
        {
            await Shell.RunAsync("ip", "netns", "del", name);
        }
    }

    private async Task AddNamespaceAsync(string name)
    {
        await Shell.CheckAsync("ip", "netns", "add", name);
        _namespaces.Add(name);
    }
}
