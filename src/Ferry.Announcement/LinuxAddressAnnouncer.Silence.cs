using System.Net;
using System.Net.Sockets;

namespace Ferry.Announcement;

/// <summary>Silent claims and handovers: an address local but not answered for (docs/design/0003-l2-announcement.md, "Handovers").</summary>
public sealed partial class LinuxAddressAnnouncer
{
    /// <inheritdoc />
    public async Task StopAnsweringAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_claims.TryGetValue(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, out var active) && !active.Silent)
            {
                await SilenceAsync(active);
                AnnouncerLog.Silenced(_logger, active.Address);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task AnnounceAgainAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_claims.TryGetValue(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, out var active) && !active.Silent)
            {
                await active.Gratuitous.CancelAsync();
#pragma warning disable VSTHRD003 // the repeats task is this announcer's own, started by ClaimAsync
                await active.Repeats;
#pragma warning restore VSTHRD003
                active.Gratuitous.Dispose();
                active.Gratuitous = new CancellationTokenSource();
                await AnnounceAsync(active, cancellationToken);
                active.Repeats = RepeatAnnouncementsAsync(active);
                AnnouncerLog.AnnouncedAgain(_logger, active.Address);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the gratuitous rounds and the answering; the address stays on the device.</summary>
    private async Task SilenceAsync(ActiveClaim active)
    {
        if (active.Silent)
        {
            return;
        }

        active.Silent = true;
        await active.Gratuitous.CancelAsync();
#pragma warning disable VSTHRD003 // the repeats task is this announcer's own, started by ClaimAsync
        await active.Repeats;
#pragma warning restore VSTHRD003
        active.Gratuitous.Dispose();
        foreach (var link in active.Links)
        {
            if (_arp.TryGetValue(link.Name, out var arp))
            {
                arp.StopAnswering(active.Address);
            }

            if (_ndp.TryGetValue(link.Name, out var ndp))
            {
                ndp.StopAnswering(active.Address);
            }
        }
    }

    /// <summary>A silent claim answers and announces again, as a fresh claim does (its address is still on the device).</summary>
    private async Task ResumeAsync(ActiveClaim active, CancellationToken cancellationToken)
    {
        var isV6 = active.Address.AddressFamily == AddressFamily.InterNetworkV6;
        foreach (var link in active.Links)
        {
            OpenResponder(link, isV6);
            StartAnswering(link.Name, active.Address, isV6);
        }

        active.Gratuitous.Dispose();
        active.Gratuitous = new CancellationTokenSource();
        active.Silent = false;
        await AnnounceAsync(active, cancellationToken);
        active.Repeats = RepeatAnnouncementsAsync(active);
        AnnouncerLog.Claimed(_logger, active.Address, string.Join(", ", active.Links.Select(l => l.Name)));
    }
}
