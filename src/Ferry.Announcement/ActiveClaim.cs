using System.Collections.Immutable;
using System.Net;
using Ferry.Announcement.Interfaces;

namespace Ferry.Announcement;

/// <summary>
/// A claimed address, the interfaces it is answered on, and its remaining gratuitous rounds (cancelled on
/// release or when it falls silent).
/// </summary>
internal sealed class ActiveClaim(IPAddress address, ImmutableArray<LinkInterface> links, CancellationTokenSource gratuitous)
{
    public IPAddress Address { get; } = address;

    public ImmutableArray<LinkInterface> Links { get; } = links;

    public CancellationTokenSource Gratuitous { get; set; } = gratuitous;

    /// <summary>True while the address is still local but no longer answered for (a handover's drain).</summary>
    public bool Silent { get; set; }

    public Task Repeats { get; set; } = Task.CompletedTask;
}
