using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ferry.Announcement.Arp;
using Ferry.Announcement.Interfaces;
using Ferry.Announcement.Ndp;
using Ferry.Announcement.Netlink;
using Microsoft.Extensions.Logging;

namespace Ferry.Announcement;

/// <summary>
/// The Linux announcer (docs/design/0003-l2-announcement.md): claimed addresses live on a dummy device of
/// Ferry's own so the kernel accepts traffic for them, and the process itself answers ARP (packet socket)
/// and neighbour solicitations (raw ICMPv6 socket) on the announcing interfaces, with the kernel's own ARP
/// answers switched off there (arp_ignore/arp_announce). When the process dies, nobody answers.
/// A claim returns after the first gratuitous round; the others follow in the background.
/// </summary>
public sealed partial class LinuxAddressAnnouncer : IAddressAnnouncer
{
    private readonly AnnouncerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<LinuxAddressAnnouncer> _logger;
    private readonly ArpSysctls _sysctls = new("/proc/sys");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<IPAddress, ActiveClaim> _claims = [];
    private readonly Dictionary<string, ArpResponder> _arp = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NdpResponder> _ndp = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sysctlsApplied = new(StringComparer.Ordinal);
    private RouteNetlinkSocket? _netlink;
    private int _deviceIndex;
    private ImmutableArray<IPAddress> _claimedSnapshot = [];
    private bool _disposed;

    public LinuxAddressAnnouncer(AnnouncerOptions options, TimeProvider timeProvider, ILogger<LinuxAddressAnnouncer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.DeviceName) || options.DeviceName.Length > 15 || options.DeviceName.Any(c => c is '/' or ' ' or ':'))
        {
            throw new ArgumentException($"device name '{options.DeviceName}' is not a valid Linux interface name (1–15 characters, no '/', ' ' or ':')", nameof(options));
        }

        if (options.GratuitousCount < 1 || options.GratuitousInterval < TimeSpan.Zero || options.ProbeWait <= TimeSpan.Zero)
        {
            throw new ArgumentException("GratuitousCount must be at least 1, GratuitousInterval not negative and ProbeWait positive", nameof(options));
        }

        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc />
    public IReadOnlyCollection<IPAddress> Claimed => _claimedSnapshot;

    /// <inheritdoc />
    public async Task<AnnouncerStartResult> StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new AnnouncementException("L2 announcement works on Linux only");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _netlink ??= OpenNetlink();
            var device = _options.DeviceName;
            _deviceIndex = Privileged($"creating the dummy device {device}", () => EnsureDevice(_netlink, device));
            var removed = new List<IPAddress>();
            foreach (var stale in DeviceAddresses(_netlink).Where(a => !a.Address.IsIPv6LinkLocal))
            {
                Privileged($"removing {stale.Address} from {device}", () => _netlink.Execute(s => RouteMessages.DeleteLinkAddress(s, stale), $"RTM_DELADDR {stale.Address}"));
                AnnouncerLog.RemovedStale(_logger, stale.Address, device);
                removed.Add(stale.Address);
            }

            AnnouncerLog.Started(_logger, device, _deviceIndex, removed.Count);
            return new AnnouncerStartResult(removed);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<ClaimResult> ClaimAsync(AddressClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var netlink = _netlink ?? throw new InvalidOperationException("StartAsync must run before ClaimAsync");
            var address = claim.Address.IsIPv4MappedToIPv6 ? claim.Address.MapToIPv4() : claim.Address;
            if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(address)
                || address.IsIPv6Multicast || address.IsIPv6LinkLocal || IsIpv4Multicast(address))
            {
                return Fail(address, [], $"{address} cannot be announced (not a unicast IPv4 or IPv6 address outside loopback and link-local)");
            }

            var choice = InterfaceSelector.Choose(address, claim.Interfaces, InterfaceInventory.Read(), _options.DeviceName);
            if (choice.Error is not null)
            {
                return Fail(address, claim.Interfaces.IsDefault ? [] : claim.Interfaces, choice.Error);
            }

            var names = choice.Interfaces.Select(i => i.Name).ToImmutableArray();
            if (_claims.TryGetValue(address, out var existing))
            {
                if (existing.Links.Select(l => l.Name).SequenceEqual(names))
                {
                    if (existing.Silent && !claim.Silent)
                    {
                        await ResumeAsync(existing, cancellationToken);
                    }

                    return new ClaimResult(ClaimOutcome.Claimed, names, null, null);
                }

                await StopAsync(existing);
            }

            try
            {
                var isV6 = address.AddressFamily == AddressFamily.InterNetworkV6;
                foreach (var link in choice.Interfaces.Where(_ => !isV6))
                {
                    ApplySysctls(link.Name);
                }

                foreach (var link in choice.Interfaces)
                {
                    OpenResponder(link, isV6);
                }

                if (claim.Probe && await ProbeAsync(address, choice.Interfaces, isV6, cancellationToken) is { } conflict)
                {
                    var mac = conflict.Mac.GetAddressBytes().Length == 0 ? "a host that gave no MAC address" : Format(conflict.Mac);
                    AnnouncerLog.Conflict(_logger, address, conflict.Interface, mac);
                    return new ClaimResult(ClaimOutcome.Conflict, names,
                        $"{address} is already in use on {conflict.Interface} by {mac}", conflict.Mac);
                }

                Privileged($"adding {address} to {_options.DeviceName}",
                    () => netlink.Execute(s => RouteMessages.AddHostAddress(s, _deviceIndex, address), $"RTM_NEWADDR {address}"));
                var active = new ActiveClaim(address, choice.Interfaces, new CancellationTokenSource());
                _claims[address] = active;
                _claimedSnapshot = [.. _claims.Keys];
                if (claim.Silent)
                {
                    active.Silent = true;
                    AnnouncerLog.ClaimedSilently(_logger, address);
                    return new ClaimResult(ClaimOutcome.Claimed, names, null, null);
                }

                try
                {
                    foreach (var link in choice.Interfaces)
                    {
                        StartAnswering(link.Name, address, isV6);
                    }

                    await AnnounceAsync(active, cancellationToken);
                }
                catch (Exception e) when (e is AnnouncementException or SocketException or OperationCanceledException)
                {
                    // Half a claim is none: stop answering and take the address off the device again.
                    await StopAsync(active);
                    if (e is OperationCanceledException)
                    {
                        throw;
                    }

                    return Fail(address, names, e.Message);
                }

                active.Repeats = RepeatAnnouncementsAsync(active);
                AnnouncerLog.Claimed(_logger, address, string.Join(", ", names));
                return new ClaimResult(ClaimOutcome.Claimed, names, null, null);
            }
            catch (Exception e) when (e is AnnouncementException or SocketException)
            {
                return Fail(address, names, e.Message);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_claims.TryGetValue(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, out var active))
            {
                await StopAsync(active);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases every claimed address (a clean stop leaves nothing on the device) and closes the sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var active in _claims.Values.ToList())
            {
                await StopAsync(active);
            }

            foreach (var responder in _arp.Values)
            {
                responder.Dispose();
            }

            foreach (var responder in _ndp.Values)
            {
                responder.Dispose();
            }

            _arp.Clear();
            _ndp.Clear();
            _netlink?.Dispose();
            _netlink = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static RouteNetlinkSocket OpenNetlink()
    {
        try
        {
            return new RouteNetlinkSocket();
        }
        catch (NetlinkException e)
        {
            throw new AnnouncementException($"cannot open a netlink socket to manage addresses: {e.Message}", e);
        }
    }

    /// <summary>
    /// The device's index, creating it when missing: a dummy device, or where the kernel has no dummy driver
    /// (EOPNOTSUPP) an ifb device, which is as inert (no ARP, carries no traffic unless tc redirects to it).
    /// </summary>
    private int EnsureDevice(RouteNetlinkSocket netlink, string device)
    {
        var index = FindLink(netlink, device);
        if (index is null)
        {
            foreach (var kind in (string[])["dummy", "ifb"])
            {
                try
                {
                    netlink.Execute(s => RouteMessages.CreateLink(s, device, kind), $"RTM_NEWLINK {device} type {kind}");
                    AnnouncerLog.DeviceCreated(_logger, device, kind);
                    break;
                }
                catch (NetlinkException e) when (e.Errno == 95 && kind != "ifb")
                {
                    // EOPNOTSUPP: this kernel has no such driver; try the next kind.
                }
            }

            index = FindLink(netlink, device) ?? throw new NetlinkException($"{device} was created but cannot be found");
        }

        netlink.Execute(s => RouteMessages.SetLinkUp(s, index.Value), $"RTM_NEWLINK {device} up");
        return index.Value;
    }

    private static int? FindLink(RouteNetlinkSocket netlink, string device)
    {
        try
        {
            return RouteMessages.ParseLink(netlink.Query(s => RouteMessages.GetLinkByName(s, device), $"RTM_GETLINK {device}").Single()).Index;
        }
        catch (NetlinkException e) when (e.Errno == 19)
        {
            return null; // ENODEV: not there.
        }
    }

    /// <summary>Runs a netlink write; EPERM becomes an operator-facing message naming CAP_NET_ADMIN.</summary>
    private static T Privileged<T>(string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (NetlinkException e) when (e.Errno is 1 or 13)
        {
            throw new AnnouncementException($"{what} needs CAP_NET_ADMIN (run as root or grant the capability): {e.Message}", e);
        }
        catch (NetlinkException e)
        {
            throw new AnnouncementException($"{what} failed: {e.Message}", e);
        }
    }

    private static void Privileged(string what, Action action) => Privileged(what, () =>
    {
        action();
        return 0;
    });

    private static bool IsIpv4Multicast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] is >= 224;

    /// <summary>aa:bb:cc:dd:ee:ff, as ip(8) and arping print it.</summary>
    private static string Format(PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private List<LinkAddress> DeviceAddresses(RouteNetlinkSocket netlink) =>
        [.. netlink.Query(RouteMessages.DumpAddresses, "RTM_GETADDR dump")
            .Where(m => m.Type == RouteMessages.NewAddress)
            .Select(RouteMessages.ParseAddress)
            .OfType<LinkAddress>()
            .Where(a => a.InterfaceIndex == _deviceIndex)];

    private ClaimResult Fail(IPAddress address, ImmutableArray<string> interfaces, string detail)
    {
        AnnouncerLog.ClaimFailed(_logger, address, detail);
        return new ClaimResult(ClaimOutcome.Failed, interfaces, detail, null);
    }

    private void ApplySysctls(string interfaceName)
    {
        if (!_sysctlsApplied.Add(interfaceName))
        {
            return;
        }

        try
        {
            foreach (var (setting, from, to) in _sysctls.Apply(interfaceName))
            {
                AnnouncerLog.SysctlChanged(_logger, interfaceName, setting, from, to);
            }
        }
        catch
        {
            _sysctlsApplied.Remove(interfaceName);
            throw;
        }
    }

    private void OpenResponder(LinkInterface link, bool isV6)
    {
        if (isV6 && !_ndp.ContainsKey(link.Name))
        {
            _ndp[link.Name] = NdpResponder.Open(link, _logger);
        }
        else if (!isV6 && !_arp.ContainsKey(link.Name))
        {
            _arp[link.Name] = ArpResponder.Open(link, _logger);
        }
    }

    private void StartAnswering(string interfaceName, IPAddress address, bool isV6)
    {
        if (isV6)
        {
            _ndp[interfaceName].Answer(address);
        }
        else
        {
            _arp[interfaceName].Answer(address);
        }
    }

    private async Task<(string Interface, PhysicalAddress Mac)?> ProbeAsync(IPAddress address, ImmutableArray<LinkInterface> links, bool isV6, CancellationToken cancellationToken)
    {
        var probes = links.Select(async link => (link.Name, Mac: isV6
            ? await _ndp[link.Name].ProbeAsync(address, _options.ProbeWait, _timeProvider, cancellationToken)
            : await _arp[link.Name].ProbeAsync(address, _options.ProbeWait, _timeProvider, cancellationToken)));
        foreach (var (name, mac) in await Task.WhenAll(probes))
        {
            if (mac is not null)
            {
                return (name, mac);
            }
        }

        return null;
    }

    private async Task AnnounceAsync(ActiveClaim active, CancellationToken cancellationToken)
    {
        foreach (var link in active.Links)
        {
            if (active.Address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                await _ndp[link.Name].SendUnsolicitedAsync(active.Address, cancellationToken);
            }
            else
            {
                _arp[link.Name].SendGratuitous(active.Address);
            }
        }
    }

    /// <summary>The gratuitous rounds after the first, <see cref="AnnouncerOptions.GratuitousInterval"/> apart, until released.</summary>
    private async Task RepeatAnnouncementsAsync(ActiveClaim active)
    {
        var stop = active.Gratuitous.Token;
        try
        {
            for (var round = 1; round < _options.GratuitousCount; round++)
            {
                await Task.Delay(_options.GratuitousInterval, _timeProvider, stop);
                await AnnounceAsync(active, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Released before the last round.
        }
    }

    private async Task StopAsync(ActiveClaim active)
    {
        await SilenceAsync(active);

        try
        {
            var prefix = (byte)(active.Address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
            _netlink?.Execute(s => RouteMessages.DeleteLinkAddress(s, new LinkAddress(_deviceIndex, active.Address, prefix)), $"RTM_DELADDR {active.Address}");
        }
        catch (NetlinkException e) when (e.Errno is 99 or 19)
        {
            // EADDRNOTAVAIL / ENODEV: someone removed it already; released is released.
        }

        _claims.Remove(active.Address);
        _claimedSnapshot = [.. _claims.Keys];
        AnnouncerLog.Released(_logger, active.Address);
    }
}
