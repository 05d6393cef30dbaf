using System.Net;

namespace Ferry.Announcement.Netlink;

/// <summary>An address on a link as rtnetlink reports it (RTM_NEWADDR).</summary>
internal sealed record LinkAddress(int InterfaceIndex, IPAddress Address, byte PrefixLength);
