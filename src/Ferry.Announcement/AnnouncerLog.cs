using System.Net;
using Microsoft.Extensions.Logging;

namespace Ferry.Announcement;

/// <summary>The announcer's log messages (event ids 8500–8599, Announcement's block).</summary>
internal static partial class AnnouncerLog
{
    [LoggerMessage(8500, LogLevel.Information, "Announcer started on device {Device} (index {Index}); removed {Count} stale address(es)")]
    public static partial void Started(ILogger logger, string device, int index, int count);

    [LoggerMessage(8501, LogLevel.Warning, "Removed stale address {Address} from {Device}, left by an earlier run")]
    public static partial void RemovedStale(ILogger logger, IPAddress address, string device);

    [LoggerMessage(8502, LogLevel.Information, "Claimed {Address} on {Interfaces}")]
    public static partial void Claimed(ILogger logger, IPAddress address, string interfaces);

    [LoggerMessage(8503, LogLevel.Information, "Released {Address}")]
    public static partial void Released(ILogger logger, IPAddress address);

    [LoggerMessage(8504, LogLevel.Warning, "Not claiming {Address}: {Mac} on {Interface} already uses it")]
    public static partial void Conflict(ILogger logger, IPAddress address, string @interface, string mac);

    [LoggerMessage(8505, LogLevel.Error, "Could not claim {Address}: {Detail}")]
    public static partial void ClaimFailed(ILogger logger, IPAddress address, string detail);

    [LoggerMessage(8506, LogLevel.Warning, "Set net.ipv4.conf.{Interface}.{Setting} from {From} to {To} so the kernel does not answer ARP for Ferry's addresses")]
    public static partial void SysctlChanged(ILogger logger, string @interface, string setting, int from, int to);

    [LoggerMessage(8507, LogLevel.Warning, "{Protocol} send on {Interface} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string protocol, string @interface, string error);

    [LoggerMessage(8508, LogLevel.Warning, "{Protocol} receive on {Interface} failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, string protocol, string @interface, string error);

    [LoggerMessage(8509, LogLevel.Warning, "Another host ({Mac}) announces {Address} on {Interface}, which this replica claims")]
    public static partial void OtherHostClaims(ILogger logger, IPAddress address, string @interface, string mac);

    [LoggerMessage(8510, LogLevel.Information, "Created device {Device} (type {Kind}) to carry the announced addresses")]
    public static partial void DeviceCreated(ILogger logger, string device, string kind);

    [LoggerMessage(8511, LogLevel.Information, "No longer answering for {Address}; it stays local while clients move to its new owner")]
    public static partial void Silenced(ILogger logger, IPAddress address);

    [LoggerMessage(8512, LogLevel.Debug, "Added {Address}, not answered for until it is announced")]
    public static partial void ClaimedSilently(ILogger logger, IPAddress address);

    [LoggerMessage(8513, LogLevel.Information, "Announcing {Address} again: a replica that may have announced it too has joined")]
    public static partial void AnnouncedAgain(ILogger logger, IPAddress address);
}
