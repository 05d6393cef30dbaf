namespace Ferry.Announcement.Arp;

/// <summary>The ARP opcode (RFC 826).</summary>
internal enum ArpOperation : ushort
{
    Request = 1,
    Reply = 2,
}
