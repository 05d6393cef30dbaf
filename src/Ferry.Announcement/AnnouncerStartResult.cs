using System.Net;

namespace Ferry.Announcement;

/// <summary>What <see cref="IAddressAnnouncer.StartAsync"/> found: the addresses an earlier run left on the device, now removed.</summary>
public sealed record AnnouncerStartResult(IReadOnlyList<IPAddress> RemovedStale);
