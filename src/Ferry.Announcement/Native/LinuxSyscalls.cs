using System.Runtime.InteropServices;

namespace Ferry.Announcement.Native;

/// <summary>The libc calls the announcer needs where .NET's Socket has no equivalent (netlink and packet sockets).</summary>
internal static unsafe partial class LinuxSyscalls
{
    public const int AfPacket = 17;
    public const int AfNetlink = 16;
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int NetlinkRoute = 0;
    public const int SolSocket = 1;
    public const int SoRcvbuf = 8;
    public const int SoRcvtimeo = 20;
    public const int SoBindToDevice = 25;
    public const int EthPArp = 0x0806;
    public const int Eagain = 11;
    public const int Eintr = 4;
    public const int Eperm = 1;
    public const int Eacces = 13;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, byte* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    public static partial nint ReceiveFrom(int fd, byte* buffer, nint length, int flags, byte* address, int* addressLength);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSocketOption(int fd, int level, int name, void* value, int valueLength);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>Sets a receive timeout so a blocking receive loop wakes up to notice it should stop.</summary>
    public static void SetReceiveTimeout(int fd, TimeSpan timeout)
    {
        // struct timeval { long tv_sec; long tv_usec; } on 64-bit Linux.
        var value = stackalloc long[2];
        value[0] = (long)timeout.TotalSeconds;
        value[1] = timeout.Milliseconds * 1000L;
        if (SetSocketOption(fd, SolSocket, SoRcvtimeo, value, 2 * sizeof(long)) != 0)
        {
            throw new AnnouncementException($"setsockopt(SO_RCVTIMEO) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>16-bit host to network byte order.</summary>
    public static ushort HostToNetwork(ushort value) => BitConverter.IsLittleEndian ? (ushort)((value >> 8) | (value << 8)) : value;
}
