namespace Ferry.Announcement.Netlink;

/// <summary>
/// One netlink message: the struct nlmsghdr fields and the payload after the 16-byte header (for rtnetlink a
/// family header such as struct ifaddrmsg followed by attributes).
/// </summary>
internal sealed record NetlinkMessage(ushort Type, ushort Flags, uint Sequence, uint PortId, byte[] Payload);
