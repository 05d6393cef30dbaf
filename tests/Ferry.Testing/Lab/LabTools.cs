using System.Globalization;
using System.Net;

namespace Ferry.Testing.Lab;

/// <summary>
/// The independent tools, run in a lab namespace, their output parsed (<see cref="ToolOutput"/>):
/// what the rest of the LAN sees, not what Ferry says of itself. Each needs its tool installed
/// (<see cref="InstalledTools"/>; .ci/run installs them).
/// </summary>
public static class LabTools
{
    private static readonly TimeSpan _limit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>arping -b -c N -I eth0 ADDRESS</c> from <paramref name="from"/>: <paramref name="requests"/> broadcast
    /// requests one second apart (about N seconds in all), every unicast reply counted per MAC, so two
    /// hosts answering for one address show as two entries. Empty when nobody answered.
    /// </summary>
    public static async Task<IReadOnlyList<ArpReply>> ArpingAsync(this NetnsLab lab, LabNamespace from, IPAddress address, int requests = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        var result = await lab.ExecAsync(from, _limit, ["arping", "-b", "-c", requests.ToString(CultureInfo.InvariantCulture), "-I", from.InterfaceName, address.ToString()], cancellationToken);
        // Exit 1 means no reply; anything else but 0 is a usage or socket error.
        return result.ExitCode is 0 or 1 ? ToolOutput.ParseArping(result.StandardOutput) : throw new InvalidOperationException("arping failed: " + result);
    }

    /// <summary>
    /// <c>ndisc6 -m -n -r N -w MS ADDRESS eth0</c> from <paramref name="from"/>: up to <paramref name="attempts"/>
    /// neighbour solicitations, collecting every advertisement (<c>-m</c>) within <paramref name="waitMilliseconds"/>
    /// of each, counted per target link-layer address. Empty when nobody answered.
    /// </summary>
    public static async Task<IReadOnlyList<ArpReply>> NdiscAsync(this NetnsLab lab, LabNamespace from, IPAddress address, int attempts = 1, int waitMilliseconds = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(address);
        var result = await lab.ExecAsync(
            from,
            _limit,
            ["ndisc6", "-m", "-n", "-r", attempts.ToString(CultureInfo.InvariantCulture), "-w", waitMilliseconds.ToString(CultureInfo.InvariantCulture), address.ToString(), from.InterfaceName],
            cancellationToken);
        // Exit 2 means no response.
        return result.ExitCode is 0 or 2 ? ToolOutput.ParseNdisc6(result.StandardOutput) : throw new InvalidOperationException("ndisc6 failed: " + result);
    }

    /// <summary><c>ip -j neigh show ADDRESS</c> in <paramref name="ns"/>: its neighbour entry (MAC and state), or null when it has none.</summary>
    public static async Task<NeighbourEntry?> NeighbourAsync(this NetnsLab lab, LabNamespace ns, IPAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(address);
        var result = await lab.ExecAsync(ns, _limit, ["ip", "-j", "neigh", "show", address.ToString()], cancellationToken);
        return !result.Succeeded ? throw new InvalidOperationException("ip neigh failed: " + result)
            : ToolOutput.ParseNeighbours(result.StandardOutput) is [var entry, ..] ? entry : null;
    }

    /// <summary>Forgets <paramref name="address"/>'s neighbour entry in <paramref name="ns"/> (<c>ip neigh flush to ADDRESS</c>), so the next packet resolves it anew.</summary>
    public static async Task FlushNeighbourAsync(this NetnsLab lab, LabNamespace ns, IPAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(address);
        await lab.IpAsync(ns.Name, ["neigh", "flush", "to", address.ToString()], cancellationToken);
    }

    /// <summary><c>ip -j addr show [dev DEVICE]</c> in <paramref name="ns"/>: its addresses (of every interface when <paramref name="device"/> is null).</summary>
    public static async Task<IReadOnlyList<InterfaceAddress>> AddressesAsync(this NetnsLab lab, LabNamespace ns, string? device = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(ns);
        var result = await lab.ExecAsync(ns, _limit, device is null ? ["ip", "-j", "addr", "show"] : ["ip", "-j", "addr", "show", "dev", device], cancellationToken);
        return result.Succeeded ? ToolOutput.ParseAddresses(result.StandardOutput) : throw new InvalidOperationException("ip addr failed: " + result);
    }

    /// <summary>One <c>ping -c 1 -W SECONDS</c> (IPv4 or IPv6) from <paramref name="from"/>: true when it was answered.</summary>
    public static async Task<bool> PingAsync(this NetnsLab lab, LabNamespace from, IPAddress address, int waitSeconds = 2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(address);
        var result = await lab.ExecAsync(from, _limit, ["ping", "-n", "-c", "1", "-W", waitSeconds.ToString(CultureInfo.InvariantCulture), address.ToString()], cancellationToken);
        return result.Succeeded;
    }
}
