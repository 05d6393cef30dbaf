using System.Runtime.InteropServices;
using Ferry.Announcement.Native;

namespace Ferry.Announcement.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket to the kernel of the process's network namespace. Requests are synchronous and
/// answered in microseconds; a receive timeout bounds a kernel that never answers. Not thread-safe: the
/// announcer serialises its calls.
/// </summary>
internal sealed unsafe class RouteNetlinkSocket : IDisposable
{
    private static readonly TimeSpan _replyTimeout = TimeSpan.FromSeconds(5);
    private readonly int _fd;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private uint _sequence;

    public RouteNetlinkSocket()
    {
        _fd = LinuxSyscalls.Socket(LinuxSyscalls.AfNetlink, LinuxSyscalls.SockRaw | LinuxSyscalls.SockCloexec, LinuxSyscalls.NetlinkRoute);
        if (_fd < 0)
        {
            throw new NetlinkException("socket(AF_NETLINK, NETLINK_ROUTE)", Marshal.GetLastPInvokeError());
        }

        // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }: pid 0 lets the kernel pick.
        var address = stackalloc byte[12];
        new Span<byte>(address, 12).Clear();
        address[0] = LinuxSyscalls.AfNetlink;
        if (LinuxSyscalls.Bind(_fd, address, 12) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LinuxSyscalls.Close(_fd);
            throw new NetlinkException("bind(AF_NETLINK)", errno);
        }

        LinuxSyscalls.SetReceiveTimeout(_fd, _replyTimeout);
    }

    /// <summary>Sends a request flagged NLM_F_ACK and waits for the acknowledgement; a refusal throws with the errno.</summary>
    public void Execute(Func<uint, NetlinkMessage> request, string description)
    {
        var replies = Exchange(request, description);
        var error = replies.FirstOrDefault(m => m.Type == RouteMessages.Error)
            ?? throw new NetlinkException($"{description}: no acknowledgement from the kernel");
        var errno = RouteMessages.ParseError(error);
        if (errno != 0)
        {
            throw new NetlinkException(description, errno);
        }
    }

    /// <summary>Sends a request and returns its replies up to NLMSG_DONE (dumps) or the first reply (single gets); an error reply throws.</summary>
    public IReadOnlyList<NetlinkMessage> Query(Func<uint, NetlinkMessage> request, string description)
    {
        var replies = Exchange(request, description);
        var error = replies.FirstOrDefault(m => m.Type == RouteMessages.Error);
        if (error is not null && RouteMessages.ParseError(error) is var errno and not 0)
        {
            throw new NetlinkException(description, errno);
        }

        return [.. replies.Where(m => m.Type is not RouteMessages.Error and not RouteMessages.Done)];
    }

    public void Dispose() => LinuxSyscalls.Close(_fd);

    private List<NetlinkMessage> Exchange(Func<uint, NetlinkMessage> request, string description)
    {
        var sequence = ++_sequence;
        var bytes = NetlinkCodec.Encode(request(sequence));
        fixed (byte* pointer = bytes)
        {
            if (LinuxSyscalls.Send(_fd, pointer, bytes.Length, 0) < 0)
            {
                throw new NetlinkException(description, Marshal.GetLastPInvokeError());
            }
        }

        var replies = new List<NetlinkMessage>();
        // Bounded: a dump ends with NLMSG_DONE, anything else with one reply; the timeout ends a silent kernel.
        for (var datagrams = 0; datagrams < 10_000; datagrams++)
        {
            nint received;
            fixed (byte* pointer = _buffer)
            {
                received = LinuxSyscalls.ReceiveFrom(_fd, pointer, _buffer.Length, 0, null, null);
            }

            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == LinuxSyscalls.Eintr)
                {
                    continue;
                }

                throw new NetlinkException($"{description}: no reply from the kernel", errno);
            }

            var ours = NetlinkCodec.Decode(_buffer.AsSpan(0, (int)received)).Where(m => m.Sequence == sequence).ToList();
            replies.AddRange(ours);
            if (ours.Any(m => m.Type is RouteMessages.Done or RouteMessages.Error || (m.Flags & RouteMessages.FlagMulti) == 0))
            {
                return replies;
            }
        }

        throw new NetlinkException($"{description}: the reply did not end");
    }
}
