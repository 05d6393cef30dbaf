using Ferry.Announcement.Native;

namespace Ferry.Announcement.Netlink;

/// <summary>The kernel refused a netlink request; <see cref="Errno"/> says why (EPERM: no CAP_NET_ADMIN).</summary>
internal sealed class NetlinkException : Exception
{
    public NetlinkException()
    {
    }

    public NetlinkException(string message)
        : base(message)
    {
    }

    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NetlinkException(string request, int errno)
        : base($"{request}: {Errors.Describe(errno)}")
    {
        Errno = errno;
    }

    public int Errno { get; }
}
