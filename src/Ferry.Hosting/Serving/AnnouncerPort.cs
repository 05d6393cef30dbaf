using System.Net;
using Ferry.Announcement;
using Ferry.Controller.Serving;

namespace Ferry.Hosting.Serving;

/// <summary>The L2 announcer as the serving controller sees it; when it could not start, every claim fails with the reason.</summary>
internal sealed class AnnouncerPort : IAddressClaims
{
    private readonly IAddressAnnouncer _announcer;
    private readonly string? _unavailable;

    public AnnouncerPort(IAddressAnnouncer announcer, string? unavailable)
    {
        _announcer = announcer;
        _unavailable = unavailable;
    }

    public async Task<AddressClaimResult> ClaimAsync(IPAddress address, IReadOnlyList<string> interfaces, bool probe, bool silent, CancellationToken cancellationToken)
    {
        if (_unavailable is not null)
        {
            return AddressClaimResult.Failed(_unavailable);
        }

        ClaimResult result;
        try
        {
            result = await _announcer.ClaimAsync(new AddressClaim(address, [.. interfaces], probe, silent), cancellationToken);
        }
        catch (AnnouncementException ex)
        {
            return AddressClaimResult.Failed(ex.Message);
        }

        return result.Outcome switch
        {
            ClaimOutcome.Claimed => AddressClaimResult.Claimed(result.Interfaces),
            ClaimOutcome.Conflict => AddressClaimResult.Conflict(Format(result.ConflictingMac), result.Detail ?? string.Empty),
            _ => AddressClaimResult.Failed(result.Detail ?? "unknown error"),
        };
    }

    public Task StopAnsweringAsync(IPAddress address, CancellationToken cancellationToken) =>
        _unavailable is not null ? Task.CompletedTask : _announcer.StopAnsweringAsync(address, cancellationToken);

    public Task AnnounceAgainAsync(IPAddress address, CancellationToken cancellationToken) =>
        _unavailable is not null ? Task.CompletedTask : _announcer.AnnounceAgainAsync(address, cancellationToken);

    public Task ReleaseAsync(IPAddress address, CancellationToken cancellationToken) =>
        _unavailable is not null ? Task.CompletedTask : _announcer.ReleaseAsync(address, cancellationToken);

    internal static string Format(System.Net.NetworkInformation.PhysicalAddress? mac) =>
        mac is null ? "unknown" : string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
